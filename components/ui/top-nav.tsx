"use client";

// The top bar: brand, the entries of NAV (links and drop-down menus), the
// theme toggle. Below 760 px the entries fold into a menu button.

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { isActive, isMenu, NAV, type NavMenu } from "./nav-items";
import { ThemeToggle } from "./theme-toggle";

function Menu({ menu, pathname, onNavigate }: { menu: NavMenu; pathname: string; onNavigate: () => void }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const active = menu.items.some((i) => isActive(pathname, i.href));

  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setOpen(false);
    };
    document.addEventListener("pointerdown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  return (
    <div className="nav-menu" ref={ref}>
      <button
        type="button"
        className={`nav-link${active ? " active" : ""}`}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        data-testid={`nav-menu-${menu.label.toLowerCase()}`}
      >
        {menu.label}
        <svg viewBox="0 0 12 12" width="10" height="10" aria-hidden>
          <path d="M2 4l4 4 4-4" fill="none" stroke="currentColor" strokeWidth="1.6" />
        </svg>
      </button>
      {open && (
        <div className="nav-dropdown" role="menu">
          {menu.items.map((item) => (
            <Link
              key={item.href}
              href={item.href}
              role="menuitem"
              className={`nav-dropdown-item${isActive(pathname, item.href) ? " active" : ""}`}
              onClick={() => {
                setOpen(false);
                onNavigate();
              }}
            >
              <span>{item.label}</span>
              {item.description && <small>{item.description}</small>}
            </Link>
          ))}
        </div>
      )}
    </div>
  );
}

export function TopNav() {
  const pathname = usePathname() ?? "/";
  const [mobileOpen, setMobileOpen] = useState(false);
  const close = () => setMobileOpen(false);

  return (
    <header className="topbar">
      <Link className="brand" href="/" onClick={close}>
        <span className="brand-mark" aria-hidden />
        Vigil
      </Link>
      <button
        type="button"
        className="icon-btn nav-burger"
        aria-label="Menu"
        aria-expanded={mobileOpen}
        onClick={() => setMobileOpen((o) => !o)}
        data-testid="nav-burger"
      >
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden>
          <path d="M4 7h16M4 12h16M4 17h16" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        </svg>
      </button>
      <nav className={`nav${mobileOpen ? " open" : ""}`} aria-label="Main">
        {NAV.map((entry) =>
          isMenu(entry) ? (
            <Menu key={entry.label} menu={entry} pathname={pathname} onNavigate={close} />
          ) : (
            <Link key={entry.href} href={entry.href} className={`nav-link${isActive(pathname, entry.href) ? " active" : ""}`} onClick={close}>
              {entry.label}
            </Link>
          ),
        )}
      </nav>
      <div className="topbar-end">
        <ThemeToggle />
      </div>
    </header>
  );
}
