// Eleventy ships no type declarations; this is the part of its programmatic API that
// lib/build.js uses.
declare module "@11ty/eleventy" {
  export default class Eleventy {
    constructor(
      input: string,
      output: string,
      options?: { quietMode?: boolean; configPath?: string; config?: (eleventyConfig: any) => void | Promise<void> },
    );
    write(): Promise<unknown>;
  }
}
