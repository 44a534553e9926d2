// The Gateway's only way in: listens on a Unix socket in the agent's run dir (mounted from the
// host, where the panel connects) and pipes each connection to the Gateway on this container's
// loopback, where OpenClaw trusts a token-only client. Started by claw-agent-init beside the Gateway.
import { chmodSync, unlinkSync } from "node:fs";
import { connect, createServer } from "node:net";

const socketPath = process.env.CLAW_INGRESS_SOCKET ?? "/run/claw/ingress/gateway.sock";
const gatewayPort = Number(process.env.CLAW_GATEWAY_PORT ?? 18789);

try {
  unlinkSync(socketPath); // left over from an earlier run of this agent
} catch (error) {
  if (error.code !== "ENOENT") throw error;
}

const server = createServer((client) => {
  const gateway = connect({ host: "127.0.0.1", port: gatewayPort });
  client.pipe(gateway).pipe(client);
  const close = () => {
    client.destroy();
    gateway.destroy();
  };
  client.on("error", close).on("close", close);
  gateway.on("error", close).on("close", close);
});

server.listen(socketPath, () => {
  // The host dir (0700, owned by the panel's user) guards access; inside, any uid may connect.
  chmodSync(socketPath, 0o666);
});
server.on("error", (error) => {
  console.error(`claw-ingress: ${error.message}`);
  process.exit(1);
});
