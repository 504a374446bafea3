// Files bundled as text (wrangler.toml [[rules]] type = "Text").
declare module "htmx.org/dist/htmx.min.js" {
  const text: string;
  export default text;
}
