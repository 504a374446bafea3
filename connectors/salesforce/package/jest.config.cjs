// LWC Jest (Salesforce's @salesforce/sfdx-lwc-jest preset) for the package's components.
const { jestConfig } = require("@salesforce/sfdx-lwc-jest/config");

module.exports = {
  ...jestConfig,
  rootDir: __dirname,
  testTimeout: 10000,
};
