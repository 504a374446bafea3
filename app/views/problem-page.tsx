// What a person sees when something they reached in a browser fails: what happened and what to do,
// as a page (scripts and API callers get the same problem as JSON).
import { Layout } from "./layout.tsx";

/** What to do next, by problem code; the message says what happened. */
const NEXT: Record<string, string> = {
  link_used:
    "Login links work once and for an hour. Open a new one from the place you got this one, or install Ebb again from your vendor's marketplace to sign in.",
  invalid_code:
    "The link is incomplete. Copy the whole login link, or install Ebb again from your vendor's marketplace.",
  no_session:
    "Your session has ended or you signed out. Sign in with a login link from your install, or install Ebb again from your vendor's marketplace.",
  invalid_state: "Start the install again from your vendor's marketplace.",
  state_not_this_browser:
    "Start the install in this browser, from your vendor's marketplace, and finish it here.",
  code_refused: "Start the install again from your vendor's marketplace.",
  install_declined: "Ebb was not installed. To install it, approve the consent screen.",
  invalid_callback: "Start the install again from your vendor's marketplace.",
  unknown_vendor: "Check the address: Ebb installs from HubSpot.",
};

export function ProblemPage(props: { status: number; code: string; message: string }) {
  return (
    <Layout title="Something went wrong" tenant="">
      <section>
        <h1>{props.status === 404 ? "Not found" : "That did not work"}</h1>
        <p class="error">{props.message}</p>
        <p>{NEXT[props.code] ?? "Go back to the portfolio and try again."}</p>
        <p class="muted">
          {props.status} · {props.code}
        </p>
      </section>
    </Layout>
  );
}
