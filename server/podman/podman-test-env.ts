/** Tests: the environment children get, with nothing that could point them at someone else's Podman. */
export function cleanPodmanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.CONTAINER_HOST;
  delete env.DOCKER_HOST;
  delete env.CONTAINERS_CONF;
  return env;
}
