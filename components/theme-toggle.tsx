"use client";

import { useEffect, useState } from "react";

type Theme = "light" | "dark" | "system";
const themes: Theme[] = ["light", "dark", "system"];
const labels: Record<Theme, string> = { light: "Light", dark: "Dark", system: "System" };

function applyTheme(theme: Theme) {
  const dark = theme === "dark" || (theme === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>("system");

  useEffect(() => {
    const saved = localStorage.getItem("claw-theme");
    if (saved === "light" || saved === "dark") setTheme(saved);
  }, []);

  useEffect(() => {
    if (theme !== "system") return;
    const media = matchMedia("(prefers-color-scheme: dark)");
    const follow = () => applyTheme("system");
    media.addEventListener("change", follow);
    return () => media.removeEventListener("change", follow);
  }, [theme]);

  const choose = (next: Theme) => {
    setTheme(next);
    if (next === "system") localStorage.removeItem("claw-theme");
    else localStorage.setItem("claw-theme", next);
    applyTheme(next);
  };

  return (
    <fieldset className="flex rounded-md border border-zinc-300 p-0.5 text-xs dark:border-zinc-700">
      <legend className="sr-only">Theme</legend>
      {themes.map((option) => (
        <button
          key={option}
          type="button"
          aria-pressed={theme === option}
          onClick={() => choose(option)}
          className="rounded px-2 py-1 text-zinc-600 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-emerald-600 aria-pressed:bg-zinc-200 aria-pressed:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100 dark:aria-pressed:bg-zinc-800 dark:aria-pressed:text-zinc-100"
        >
          {labels[option]}
        </button>
      ))}
    </fieldset>
  );
}
