import type { DoctorCheck } from "./doctor-verdicts";

export type FileFacts = {
  path: string;
  exists: boolean;
  isDirectory?: boolean;
  /** Permission bits only (mode & 0o777). */
  mode?: number;
  ownerUid?: number;
  /** The uid claw runs as, and its name for commands. */
  uid: number;
  userName?: string;
};

export function verdictClawHome(facts: FileFacts): DoctorCheck {
  const base = { id: "claw-home", title: "CLAW_HOME" };
  const path = shellQuote(facts.path);
  if (!facts.exists) {
    return {
      ...base,
      status: "fail",
      detail: `${facts.path} does not exist.`,
      fix: `mkdir -p -m 700 ${path}`,
    };
  }
  if (!facts.isDirectory) {
    return {
      ...base,
      status: "fail",
      detail: `${facts.path} is not a directory.`,
      fix: `Move ${path} aside, then: mkdir -m 700 ${path}`,
    };
  }
  if (facts.ownerUid !== facts.uid) return wrongOwner(base, facts);
  if (facts.mode !== 0o700) {
    return {
      ...base,
      status: "fail",
      detail: `${facts.path} has mode ${formatMode(facts.mode)}; it holds keys and the database, so only its owner may enter it (0700).`,
      fix: `chmod 700 ${path}`,
    };
  }
  return {
    ...base,
    status: "ok",
    detail: `${facts.path}: mode 0700, owned by ${facts.userName ?? `uid ${facts.uid}`}.`,
  };
}

/** A secret that must be the panel user's alone, readable by nobody else. */
function verdictPrivateFile(
  facts: FileFacts,
  about: { id: string; title: string; missing: string; risk: string },
): DoctorCheck {
  const base = { id: about.id, title: about.title };
  const path = shellQuote(facts.path);
  if (!facts.exists) return { ...base, status: "ok", detail: about.missing };
  if (facts.ownerUid !== facts.uid) return wrongOwner(base, facts);
  if (facts.mode !== 0o600) {
    return {
      ...base,
      status: "fail",
      detail: `${facts.path} has mode ${formatMode(facts.mode)}; ${about.risk}.`,
      fix: `chmod 600 ${path}`,
    };
  }
  return { ...base, status: "ok", detail: `${facts.path}: mode 0600.` };
}

/** The CLI's way in: whoever can connect to it acts as the panel's owner. */
export function verdictPanelSocket(facts: FileFacts): DoctorCheck {
  return verdictPrivateFile(facts, {
    id: "panel-socket",
    title: "Panel socket (the CLI's way in)",
    missing: "Not there: the panel makes it when it starts (`npm start`).",
    risk: "any local user who can connect to it acts as you in the panel",
  });
}

export function verdictHostKey(facts: FileFacts): DoctorCheck {
  return verdictPrivateFile(facts, {
    id: "host-key",
    title: "Host signing key",
    missing: "Not created yet (the panel makes it at its first start).",
    risk: "anyone who reads it can sign forged audit checkpoints and policy locks",
  });
}

/** The path is someone else's: claw cannot keep it private. */
function wrongOwner(base: { id: string; title: string }, facts: FileFacts): DoctorCheck {
  return {
    ...base,
    status: "fail",
    detail: `${facts.path} belongs to uid ${facts.ownerUid}, but claw runs as uid ${facts.uid}.`,
    fix: `chown ${facts.userName ?? facts.uid} ${shellQuote(facts.path)}   # as root`,
  };
}

function formatMode(mode: number | undefined): string {
  return mode === undefined ? "unknown" : `0${mode.toString(8).padStart(3, "0")}`;
}

/** Quotes a path for a copy-pasted shell command when it needs it. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
