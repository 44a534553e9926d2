"use client";

import { useState } from "react";

export function LogoutButton() {
  const [busy, setBusy] = useState(false);
  const logout = async () => {
    setBusy(true);
    try {
      await fetch("/api/logout", { method: "POST", headers: { "x-claw-csrf": "1" } });
    } finally {
      window.location.assign("/login?logged-out=1");
    }
  };
  return (
    <button
      type="button"
      onClick={logout}
      disabled={busy}
      className="rounded-md px-2.5 py-1.5 text-sm text-zinc-600 hover:bg-zinc-200 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-emerald-600 disabled:opacity-50 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
    >
      {busy ? "Logging out…" : "Log out"}
    </button>
  );
}
