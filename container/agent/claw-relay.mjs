// `node claw-relay.mjs HOST:PORT SOCKET`: listens on HOST:PORT inside the container and pipes each
// connection to the panel's Unix socket SOCKET (its directory mounted read-only). Two run in an
// agent: the egress proxy on 127.0.0.1:3128 (restricted/devops: HTTP_PROXY points there) and the
// model gateway on 127.0.0.1:3129. The container has no network of its own: nothing else leaves.
import { connect, createServer } from "node:net";

const [listen = "", socketPath = ""] = process.argv.slice(2);
const [host, port] = listen.split(":");
if (!host || !port || !socketPath) {
  console.error("usage: claw-relay.mjs HOST:PORT SOCKET");
  process.exit(64);
}

const server = createServer((client) => {
  const upstream = connect(socketPath);
  // Without it, Nagle's algorithm holds back the small writes of a stream: measured 3× slower.
  client.setNoDelay(true);
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", close).on("close", close);
  upstream.on("error", close).on("close", close);
});

server.listen(Number(port), host);
server.on("error", (error) => {
  console.error(`claw-relay ${listen}: ${error.message}`);
  process.exit(1);
});
