import { NavLink } from "react-router-dom";
import { badgeLabel, badgeText } from "./logic";
import { useUnreadCount } from "./hooks";

/** The header's way to the inbox, with the unread count in its name. */
export function NotificationsBadge() {
  const unread = useUnreadCount().data;
  const text = badgeText(unread);
  return (
    <NavLink to="/notifications" className="inbox-link" aria-label={badgeLabel(unread)}>
      Notifications
      {text && <span className="count" aria-hidden="true">{text}</span>}
    </NavLink>
  );
}
