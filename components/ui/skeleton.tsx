// Placeholder shown while a section loads: grey bars that shimmer, sized like
// the content they stand for, so the page does not jump when data arrives.

interface Props {
  /** Number of text-like bars (default 3). Ignored when `height` is given. */
  lines?: number;
  /** One block of this height in px instead of lines (e.g. a chart's area). */
  height?: number;
}

// Varying widths look like text rather than a table of identical bars.
const WIDTHS = ["92%", "78%", "85%", "64%", "88%", "70%"];

export function Skeleton({ lines = 3, height }: Props) {
  if (height !== undefined) {
    return <div className="skeleton skeleton-block" style={{ height }} aria-busy="true" aria-label="Loading" data-testid="skeleton" />;
  }
  return (
    <div className="skeleton-lines" aria-busy="true" aria-label="Loading" data-testid="skeleton">
      {Array.from({ length: Math.max(1, lines) }, (_, i) => (
        <div key={i} className="skeleton skeleton-line" style={{ width: WIDTHS[i % WIDTHS.length] }} />
      ))}
    </div>
  );
}
