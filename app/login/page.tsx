"use client";

import { type FormEvent, useCallback, useEffect, useState } from "react";
import { Logo } from "@/components/logo";

type State = { kind: "idle" } | { kind: "busy" } | { kind: "error"; message: string };

/**
 * Accepts the bare code or the whole login link pasted into the field. `#token=` is how links of
 * earlier versions looked: passed on, so the panel can say such links no longer work.
 */
function codeFrom(input: string): string {
  const match = /#(?:code|token)=([^&\s]+)/.exec(input);
  return (match?.[1] ?? input).trim();
}

export default function LoginPage() {
  const [state, setState] = useState<State>({ kind: "idle" });
  const [value, setValue] = useState("");
  const [loggedOut, setLoggedOut] = useState(false);

  const login = useCallback(async (code: string) => {
    setState({ kind: "busy" });
    try {
      const response = await fetch("/api/login", {
        method: "POST",
        headers: { "Content-Type": "application/json", "x-claw-csrf": "1" },
        body: JSON.stringify({ code }),
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
    // The link may arrive with the page, or later into an already open tab (a hash change only).
    const loginFromHash = () => {
      if (!/[#&](code|token)=/.test(window.location.hash)) return;
      const code = codeFrom(window.location.hash);
      // The code leaves the address bar (and history) before anything else happens.
      window.history.replaceState(null, "", "/login");
      if (code) void login(code);
    };
    loginFromHash();
    window.addEventListener("hashchange", loginFromHash);
    return () => window.removeEventListener("hashchange", loginFromHash);
  }, [login]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const code = codeFrom(value);
    if (!code) {
      setState({ kind: "error", message: "Paste the login link first." });
      return;
    }
    void login(code);
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
          Open the login link that <code className="font-mono">npm start</code> printed, or paste it below.
          Each link works once, for 10 minutes: <code className="font-mono">claw login-url</code> prints a
          fresh one.
        </p>
        {loggedOut && state.kind === "idle" ? (
          <p className="mt-4 rounded-md bg-zinc-100 px-3 py-2 text-sm dark:bg-zinc-800">
            You are logged out.
          </p>
        ) : null}
        <form onSubmit={submit} className="mt-6 space-y-3">
          <label htmlFor="code" className="block text-sm font-medium">
            Login link or code
          </label>
          <input
            id="code"
            name="code"
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
