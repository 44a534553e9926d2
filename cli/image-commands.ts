import { type ImageKind, imageKinds } from "../server/images/image-kinds";
import { CliError, exitCodes } from "./cli-error";
import { type Command, panelCommand, sleep } from "./command";
import { mib, print } from "./output";

export const imageCommands: Record<string, Command> = {
  "images list": panelCommand({
    usage: "images list",
    summary: "claw's images in Podman",
    ask: async ({ client }) => (await client.images.list.query()).images,
    text: (images) =>
      images.length
        ? images
            .map(
              (image) =>
                `${image.ref.padEnd(48)} ${(image.labels["claw.image"] ?? "-").padEnd(15)} ${image.id.slice(0, 19)}  ${mib(image.sizeBytes).padStart(8)}  ${image.created}`,
            )
            .join("\n")
        : "no claw images yet: claw images build",
  }),
  "images build": {
    usage: `images build [${imageKinds.join("|")}] [--no-cache]`,
    summary: `build an image (default ${imageKinds[0]}; cached by its inputs), following its output`,
    args: "optional",
    async run({ client }, options, [image = imageKinds[0]]) {
      if (!isImageKind(image)) {
        throw new CliError(
          `No image named "${image}": choose one of ${imageKinds.join(", ")}`,
          exitCodes.usage,
        );
      }
      const started = await client.images.build.mutate({ image, noCache: options.noCache ?? false });
      let shown = 0;
      for (;;) {
        const build = await client.images.buildStatus.query({ id: started.id });
        if (!build) throw new CliError("The build disappeared (was the panel restarted?)", exitCodes.failed);
        // The server keeps the last lines only; lines[i] is line number lineCount - lines.length + i.
        const firstKept = build.lineCount - build.lines.length;
        if (!options.json)
          for (const line of build.lines.slice(Math.max(0, shown - firstKept))) console.error(line);
        shown = build.lineCount;
        if (build.state !== "running") {
          const text =
            build.state === "succeeded"
              ? `${build.result?.cached ? "up to date" : "built"}: ${build.result?.ref}`
              : `build failed: ${build.error?.message}${build.error?.fix ? `\nfix: ${build.error.fix}` : ""}`;
          print(options, build, text);
          return build.state === "succeeded" ? exitCodes.ok : exitCodes.failed;
        }
        await sleep(1000);
      }
    },
  },
};

function isImageKind(name: string): name is ImageKind {
  return (imageKinds as readonly string[]).includes(name);
}
