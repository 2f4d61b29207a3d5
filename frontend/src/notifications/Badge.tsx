import { NavLink } from "react-router-dom";
import { badgeLabel, badgeText } from "./logic";
import { useUnreadCount } from "./hooks";

/**
 * The header's way to the inbox, with the unread count in its name ("Notifications, 3 unread"). The name
 * comes from the link's content, the visible count hidden from it and the words for it visually hidden, so
 * what is seen is what is heard.
 */
export function NotificationsBadge() {
  const unread = useUnreadCount().data;
  const text = badgeText(unread);
  const label = badgeLabel(unread);
  return (
    <NavLink to="/notifications" className="inbox-link">
      Notifications
      {text && <span className="count" aria-hidden="true">{text}</span>}
      {label !== "Notifications" && <span className="sr-only">{label.slice("Notifications".length)}</span>}
    </NavLink>
  );
}
