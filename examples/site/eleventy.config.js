// @ts-check
// Eleventy's configuration: the templates are JavaScript (src/*.11ty.js) calling the
// render functions in lib/; their data comes from lib/build.js (the "monograph" global).
/** @param {any} eleventyConfig */
export default function (eleventyConfig) {
  eleventyConfig.setTemplateFormats(["11ty.js"]);
  eleventyConfig.setQuietMode(true);
}

export const config = {
  dir: { input: "src" },
};
