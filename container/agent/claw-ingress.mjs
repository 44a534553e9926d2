// The Gateway's only way in. The panel listens on a Unix socket in a directory mounted read-only
// here; this bridge dials out to it and keeps a few idle connections ready. The panel claims one
// per HTTP request or WebSocket and writes first; on the first bytes this bridge connects to the
// Gateway on the container's loopback (where OpenClaw trusts a token-only client) and pipes both
// ways. The container never listens where the panel connects, so nothing here can point the panel
// at another socket. Started by claw-agent-init beside the Gateway.
import { connect } from "node:net";

const socketPath = process.env.CLAW_INGRESS_SOCKET ?? "/run/claw/ingress/gateway.sock";
const gatewayPort = Number(process.env.CLAW_GATEWAY_PORT ?? 18789);
const idleTarget = 8;
const retryMs = 250;

let idle = 0;
let retrying = false;

function fill() {
  while (idle < idleTarget && !retrying) dial();
}

function retryLater() {
  if (retrying) return;
  retrying = true;
  setTimeout(() => {
    retrying = false;
    fill();
  }, retryMs);
}

function dial() {
  idle += 1;
  let claimed = false;
  const panel = connect(socketPath);
  const release = () => {
    if (claimed) return;
    claimed = true;
    idle -= 1;
  };
  panel.once("data", (first) => {
    release();
    fill();
    panel.pause();
    const gateway = connect({ host: "127.0.0.1", port: gatewayPort });
    gateway.write(first);
    // pipe() ends each side when the other ends, after what is buffered is written: a destroy on
    // the Gateway's close would cut off the end of its answer.
    panel.pipe(gateway).pipe(panel);
    panel.resume();
    gateway.on("error", () => panel.destroy());
    panel.on("error", () => gateway.destroy());
    panel.on("close", () => gateway.destroy());
  });
  panel.on("error", () => {
    // The panel is not listening yet (or went away): try again shortly, without a busy loop.
    panel.destroy();
  });
  panel.on("close", () => {
    if (claimed) return;
    release();
    retryLater();
  });
}

fill();
