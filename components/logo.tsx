/** Three claw marks on a green tile; the same drawing as app/icon.svg. */
export function Logo({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" className={className} aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="#059669" />
      <path
        d="M9 22 L13 10 M15 22 L19 10 M21 22 L25 10"
        stroke="#fff"
        strokeWidth="2.6"
        strokeLinecap="round"
      />
    </svg>
  );
}
