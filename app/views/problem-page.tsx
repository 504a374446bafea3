// What a person sees when something they reached in a browser fails: what happened and what to do,
// as a page (scripts and API callers get the same problem as JSON).
import { Layout } from "./layout.tsx";

/** What to do next, by problem code; the message says what happened. */
const NEXT: Record<string, string> = {
  link_used:
    "Login links work once and for an hour. Sign in again below with the account your install is in.",
  invalid_code: "The link is incomplete. Copy the whole login link, or sign in again below.",
  no_session: "Your session has ended or you signed out. Sign in again below.",
  not_installed: "Install Ebb from your vendor's marketplace first; then you are signed in.",
  too_many_starts: "Wait a minute, then start again.",
  invalid_state: "Start the install again from your vendor's marketplace.",
  state_not_this_browser:
    "Start the install in this browser, from your vendor's marketplace, and finish it here.",
  code_refused: "Start the install again from your vendor's marketplace.",
  install_declined: "Ebb was not installed. To install it, approve the consent screen.",
  invalid_callback: "Start the install again from your vendor's marketplace.",
  unknown_vendor: "Check the address: Ebb installs from HubSpot, Zendesk and Salesforce.",
  site_required:
    "Add your Zendesk subdomain to the address (?subdomain=acme for acme.zendesk.com).",
  installed_elsewhere:
    "That account is connected to another Ebb tenant: sign in there, or uninstall Ebb from it first.",
};

/** Problems after which a person signs in again through their vendor. */
const SIGN_IN_AGAIN = new Set(["link_used", "invalid_code", "no_session"]);

export function ProblemPage(props: {
  status: number;
  code: string;
  message: string;
  /** Where to sign in again, per vendor. */
  signIn?: { label: string; path: string }[];
}) {
  return (
    <Layout title="Something went wrong" tenant="">
      <section>
        <h1>{props.status === 404 ? "Not found" : "That did not work"}</h1>
        <p class="error">{props.message}</p>
        <p>{NEXT[props.code] ?? "Go back to the portfolio and try again."}</p>
        {SIGN_IN_AGAIN.has(props.code) ? (
          <ul class="sign-in">
            {(props.signIn ?? []).map((v) => (
              <li>
                <a href={v.path}>Sign in with {v.label}</a>
              </li>
            ))}
          </ul>
        ) : null}
        <p class="muted">
          {props.status} · {props.code}
        </p>
      </section>
    </Layout>
  );
}
