// vitest's types reach for jsdom's when @types/jsdom is installed (LWC Jest brings it, for the
// Salesforce card's tests): its DOM lib would leak into this Node-only typecheck. Nothing here uses
// jsdom's types, so the module is empty.
export {};
