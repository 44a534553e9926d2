// The agent's only way out (restricted/devops): listens on 127.0.0.1:3128, where HTTP_PROXY and
// HTTPS_PROXY point, and pipes each connection to the panel's egress proxy on the Unix socket
// mounted at /run/claw/egress. The container has no network of its own: nothing else leaves.
import { connect, createServer } from "node:net";

const socketPath = process.env.CLAW_EGRESS_SOCKET ?? "/run/claw/egress/proxy.sock";
const [host, port] = (process.env.CLAW_EGRESS_LISTEN ?? "127.0.0.1:3128").split(":");

const server = createServer((client) => {
  const proxy = connect(socketPath);
  client.pipe(proxy).pipe(client);
  const close = () => {
    client.destroy();
    proxy.destroy();
  };
  client.on("error", close).on("close", close);
  proxy.on("error", close).on("close", close);
});

server.listen(Number(port), host);
server.on("error", (error) => {
  console.error(`claw-egress: ${error.message}`);
  process.exit(1);
});
