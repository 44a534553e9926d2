import { PassThrough } from "node:stream";
import type Dockerode from "dockerode";

/** Output kept per stream for a one-off command; the rest is counted, not kept. */
export const commandOutputLimit = 1024 * 1024;

/**
 * `claw exec NAME -- CMD…`: runs a command (as an argument vector, never through a shell string)
 * in the running container without a TTY, and returns its exit code and output.
 */
export async function runInContainer(docker: Dockerode, containerId: string, command: string[]) {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: command,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    User: "1000:1000",
    WorkingDir: "/workspace",
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const collect = () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    let kept = 0;
    let total = 0;
    out.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (kept < commandOutputLimit) {
        const part = chunk.subarray(0, commandOutputLimit - kept);
        chunks.push(part);
        kept += part.length;
      }
    });
    return { out, text: () => Buffer.concat(chunks).toString("utf8"), truncated: () => total > kept };
  };
  const stdout = collect();
  const stderr = collect();
  docker.modem.demuxStream(stream, stdout.out, stderr.out);
  await new Promise<void>((resolve) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", () => resolve());
  });
  // The exit code can trail the end of the stream by a moment.
  let details = await exec.inspect();
  for (let i = 0; i < 50 && details.Running; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    details = await exec.inspect();
  }
  return {
    exitCode: details.ExitCode ?? null,
    stdout: stdout.text(),
    stderr: stderr.text(),
    truncated: stdout.truncated() || stderr.truncated(),
  };
}
