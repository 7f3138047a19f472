/** Vite's `?raw` imports: a fixture file's exact text, for the vendors' intentionally broken examples. */
declare module "*?raw" {
  const text: string;
  export default text;
}
