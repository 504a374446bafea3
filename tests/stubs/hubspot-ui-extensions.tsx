/** @jsxImportSource react */
// Stand-ins for @hubspot/ui-extensions in tests: each component renders plain HTML carrying its
// name and main props, so a card can be rendered to a string and read.
import type { ReactNode } from "react";

type Props = { children?: ReactNode } & Record<string, unknown>;
const tag =
  (name: string) =>
  ({ children, ...props }: Props) => (
    <div
      data-component={name}
      data-variant={typeof props.variant === "string" ? props.variant : undefined}
      data-title={typeof props.title === "string" ? props.title : undefined}
    >
      {typeof props.label === "string" ? `${props.label}: ` : null}
      {typeof props.number === "string" || typeof props.number === "number"
        ? String(props.number)
        : null}
      {children}
    </div>
  );

export const Alert = tag("Alert");
export const Divider = tag("Divider");
export const Flex = tag("Flex");
export const Heading = tag("Heading");
export const List = tag("List");
export const LoadingSpinner = tag("LoadingSpinner");
export const Statistics = tag("Statistics");
export const StatisticsItem = tag("StatisticsItem");
export const Tag = tag("Tag");
export const Text = tag("Text");
export const hubspot = {
  extend: () => undefined,
  fetch: () => Promise.reject(new Error("no network in tests")),
};
