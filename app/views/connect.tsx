// The step between "Connect Zendesk" and the vendor's consent page: a link to it (the admin's
// forms may only post to Ebb itself, so the browser follows a link rather than a redirect).
import { Layout } from "./layout.tsx";

export function ConnectPage(props: { tenant: string; label: string; url: string }) {
  return (
    <Layout title={`Connect ${props.label}`} tenant={props.tenant}>
      <h1>Connect {props.label}</h1>
      <p>
        {props.label} asks you to approve Ebb's access. After you approve, you come back here and
        the first sync starts.
      </p>
      <p>
        <a class="button" href={props.url} id="continue">
          Continue to {props.label}
        </a>
      </p>
    </Layout>
  );
}
