// The paths the Worker serves for every vendor, in one place: the Worker's routes are built from
// them, and each vendor's app configuration (HubSpot's redirect URLs, Zendesk's and Salesforce's
// callback settings) is checked against them by its connector's tests.

/** Where a vendor sends the admin back after OAuth consent. */
export const oauthCallbackPath = (vendorId: string) => `/oauth/${vendorId}/callback`;

/** Where the admin starts an install from the vendor's marketplace. */
export const installPath = (vendorId: string) => `/install/${vendorId}`;

/** Where an admin of an existing install signs in again through the vendor's OAuth. */
export const signInPath = (vendorId: string) => `/signin/${vendorId}`;

/** Where a vendor delivers webhook events. */
export const webhooksPath = (vendorId: string) => `/${vendorId}/webhooks`;
