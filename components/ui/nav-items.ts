// The portal's navigation, in one list: the top bar and the mobile menu both
// render it, so a new page (alerts, dashboards, …) slots in with one entry.
// Only pages that exist are listed.

export interface NavLink {
  label: string;
  href: string;
  /** One line under the label in menus. */
  description?: string;
}

export interface NavMenu {
  label: string;
  items: NavLink[];
}

export type NavEntry = NavLink | NavMenu;

export const NAV: NavEntry[] = [
  { label: "Query", href: "/query", description: "PromQL with autocomplete: tables, graphs, explain" },
  {
    label: "Status",
    items: [
      { label: "Targets", href: "/targets", description: "Scrape pools and target health" },
      { label: "Service discovery", href: "/service-discovery", description: "Discovered labels and relabeling" },
      { label: "TSDB status", href: "/tsdb-status", description: "Head statistics and cardinality" },
      { label: "Configuration", href: "/config", description: "The loaded prometheus.yml" },
      { label: "Runtime & build", href: "/status", description: "Version, uptime, storage retention" },
      { label: "Command-line flags", href: "/flags", description: "Settings under Prometheus's flag names" },
    ],
  },
];

export function isMenu(e: NavEntry): e is NavMenu {
  return "items" in e;
}

/** Whether `href` is the current page or a parent of it. */
export function isActive(pathname: string, href: string): boolean {
  if (href === "/") return pathname === "/";
  return pathname === href || pathname.startsWith(href + "/");
}
