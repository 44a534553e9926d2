"use client";

import { type FormEvent, useCallback, useEffect, useState } from "react";
import { Logo } from "@/components/logo";

type State = { kind: "idle" } | { kind: "busy" } | { kind: "error"; message: string };

/** Accepts the bare token or the whole login URL pasted into the field. */
function tokenFrom(input: string): string {
  const match = /#token=([^&\s]+)/.exec(input);
  return (match?.[1] ?? input).trim();
}

export default function LoginPage() {
  const [state, setState] = useState<State>({ kind: "idle" });
  const [value, setValue] = useState("");
  const [loggedOut, setLoggedOut] = useState(false);

  const login = useCallback(async (token: string) => {
    setState({ kind: "busy" });
    try {
      const response = await fetch("/api/login", {
        method: "POST",
        headers: { "Content-Type": "application/json", "x-claw-csrf": "1" },
        body: JSON.stringify({ token }),
      });
      if (response.ok) {
        window.location.replace("/");
        return;
      }
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      setState({ kind: "error", message: body.error ?? `Login failed (HTTP ${response.status})` });
    } catch {
      setState({ kind: "error", message: "The panel did not answer. Is it still running?" });
    }
  }, []);

  useEffect(() => {
    setLoggedOut(new URLSearchParams(window.location.search).has("logged-out"));
    // The URL may arrive with the page, or later into an already open tab (a hash change only).
    const loginFromHash = () => {
      if (!window.location.hash.includes("token=")) return;
      const token = tokenFrom(window.location.hash);
      // The token leaves the address bar (and history) before anything else happens.
      window.history.replaceState(null, "", "/login");
      if (token) void login(token);
    };
    loginFromHash();
    window.addEventListener("hashchange", loginFromHash);
    return () => window.removeEventListener("hashchange", loginFromHash);
  }, [login]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const token = tokenFrom(value);
    if (!token) {
      setState({ kind: "error", message: "Paste the login URL or the token first." });
      return;
    }
    void login(token);
  };

  return (
    <main className="grid min-h-screen place-items-center px-4">
      <div className="w-full max-w-md rounded-lg border border-zinc-200 bg-white p-8 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <div className="mb-6 flex items-center gap-2 text-lg font-semibold">
          <Logo className="h-8 w-8" />
          claw
        </div>
        <h1 className="text-xl font-semibold tracking-tight">Log in to the panel</h1>
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
          Open the login URL that <code className="font-mono">npm start</code> printed, or paste it (or the
          token from <code className="font-mono">~/.claw/panel-token</code>) below.
        </p>
        {loggedOut && state.kind === "idle" ? (
          <p className="mt-4 rounded-md bg-zinc-100 px-3 py-2 text-sm dark:bg-zinc-800">
            You are logged out.
          </p>
        ) : null}
        <form onSubmit={submit} className="mt-6 space-y-3">
          <label htmlFor="token" className="block text-sm font-medium">
            Login URL or token
          </label>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={value}
            onChange={(event) => setValue(event.target.value)}
            className="w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-sm outline-none focus:border-emerald-600 focus:ring-2 focus:ring-emerald-600/30 dark:border-zinc-700 dark:bg-zinc-950"
          />
          <button
            type="submit"
            disabled={state.kind === "busy"}
            className="w-full rounded-md bg-emerald-600 px-3 py-2 text-sm font-medium text-white hover:bg-emerald-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:opacity-60"
          >
            {state.kind === "busy" ? "Logging in…" : "Log in"}
          </button>
          {state.kind === "error" ? (
            <p role="alert" className="text-sm text-red-700 dark:text-red-400">
              {state.message}
            </p>
          ) : null}
        </form>
      </div>
    </main>
  );
}
