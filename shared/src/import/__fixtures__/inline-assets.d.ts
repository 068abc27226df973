/** Vite turns `?inline` imports of `.txt` assets into base64 data URLs: the fixtures' exact bytes. */
declare module '*.txt?inline' {
  const dataUrl: string;
  export default dataUrl;
}
