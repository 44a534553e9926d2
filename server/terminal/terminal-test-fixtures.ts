import { Duplex } from "node:stream";
import type { AuditEventInput } from "../audit/audit-chain";
import type { AuditLog } from "../audit/audit-log";
import type { ExecOptions, ExecSession, Libpod } from "../podman/libpod";

/** An exec as the adapter hands it out: output is pushed by the test, input is recorded. */
export function fakeExec(states: { running: boolean; exitCode: number | null; pid?: number }[]) {
  const input: string[] = [];
  const sizes: [number, number][] = [];
  const stream = new Duplex({
    read() {},
    write(chunk, _encoding, done) {
      input.push(String(chunk));
      done();
    },
  });
  let inspections = 0;
  const exec: ExecSession = {
    stream,
    resize: (cols, rows) => void sizes.push([cols, rows]),
    // The exit code can trail the stream's end: each inspection reads the next state, the last one stays.
    inspect: async () =>
      states[Math.min(inspections++, states.length - 1)] ?? { running: false, exitCode: null },
  };
  return { exec, stream, input, sizes };
}

/** A Libpod that starts `exec` for every call, and records what it was asked. */
export function fakeLibpod(exec: ExecSession) {
  const started: { containerId: string; options: ExecOptions }[] = [];
  const libpod = {
    startExec: async (containerId: string, options: ExecOptions) => {
      started.push({ containerId, options });
      return exec;
    },
  } as unknown as Libpod;
  return { libpod, started };
}

export function recordingAudit() {
  const events: AuditEventInput[] = [];
  const audit = {
    record: async (event: AuditEventInput) => {
      events.push(event);
      return {};
    },
  } as unknown as AuditLog;
  return { audit, events };
}

/** Docker's multiplexed framing: an 8-byte header (stream, three zero bytes, length) per frame. */
export function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
