"use client";

import { useEffect, useId, useRef, useState } from "react";
import { buttonClass, fieldClass } from "@/components/ui";

/**
 * The link and its QR code, as the server made them. The server keeps only the token's hash, so
 * this is the one place the link exists: it lives in the page's memory and nowhere else.
 */
export function PairingLink({ link, qrSvg }: { link: string; qrSvg: string }) {
  const id = useId();
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"copied" | "select" | null>(null);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(null), 2_500);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied("copied");
    } catch {
      // No clipboard (a browser that refuses it here): select the text so Ctrl+C does it.
      field.current?.select();
      setCopied("select");
    }
  };

  return (
    <div className="space-y-4">
      <div
        data-testid="pairing-qr"
        role="img"
        aria-label="QR code of the pairing link"
        className="h-64 w-64 rounded-md border border-zinc-200 bg-white p-2 dark:border-zinc-700 [&>svg]:h-full [&>svg]:w-full"
        // biome-ignore lint/security/noDangerouslySetInnerHtml: the panel's own server made this SVG (the qrcode package) from the link alone.
        dangerouslySetInnerHTML={{ __html: qrSvg }}
      />
      <div className="space-y-3 text-sm">
        <p>
          Have the person scan the code with their phone&apos;s camera, or send them the link: it opens the
          bot in Telegram.
        </p>
        <div>
          <label htmlFor={`${id}-link`} className="block text-sm font-medium">
            Pairing link
          </label>
          <div className="mt-1 flex gap-2">
            <input
              id={`${id}-link`}
              ref={field}
              readOnly
              value={link}
              onFocus={(event) => event.currentTarget.select()}
              className={`min-w-0 flex-1 font-mono text-xs ${fieldClass}`}
            />
            <button type="button" className={buttonClass} onClick={() => void copy()}>
              {copied === "copied" ? "Copied" : "Copy"}
            </button>
          </div>
          <span role="status" className="mt-1 block text-xs text-zinc-500 dark:text-zinc-400">
            {copied === "select"
              ? "The browser did not allow copying: the link is selected, press Ctrl+C."
              : null}
          </span>
        </div>
        <p className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-xs text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
          Shown once: the panel keeps no copy of this link. If you lose it, cancel it and make another. Anyone
          who has it can ask for access, so send it only to the person; you confirm their code before they get
          in.
        </p>
      </div>
    </div>
  );
}
