// Types of highlight.js for the TypeScript tests (the page itself loads the .js file).
export interface Segment {
  text: string;
  mark: boolean;
}
export function markSegments(text: string, needles: readonly string[]): Segment[];
export function spanSegments(text: string, start: number, end: number): { before: string; inside: string; after: string };
export function breadcrumb(doc: string, section: string): string[];
