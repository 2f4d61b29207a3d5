import { useEffect } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useLocation } from "react-router-dom";
import { notifications } from "../api/notifications";
import { useSession } from "../auth/session";
import { FRESH_MS, POLL_MS } from "./logic";

/** Every inbox query of a user starts with this key (invalidate it after a mark). */
export const inboxKey = (userID: string) => ["notifications", userID] as const;
/** The unread count the header shows. */
export const unreadKey = (userID: string) => ["notifications", userID, "unread"] as const;

const fetchUnread = () => notifications.list({ limit: 1, unread: true }).then((r) => r.unread_count);

/**
 * The signed-in user's unread count. It is asked for once a minute while the
 * tab is visible, when the window regains focus, and on navigation, each time
 * only when the count is older than FRESH_MS, so clicking around does not
 * hammer the API. The inbox page refreshes it with every page it loads.
 */
export function useUnreadCount() {
  const { me } = useSession();
  const qc = useQueryClient();
  const { pathname } = useLocation();
  const userID = me?.id ?? "";
  const q = useQuery({
    queryKey: unreadKey(userID),
    queryFn: fetchUnread,
    enabled: !!userID,
    staleTime: FRESH_MS,
    refetchInterval: POLL_MS,
    refetchOnWindowFocus: true,
    retry: false,
  });
  useEffect(() => {
    if (userID) void qc.prefetchQuery({ queryKey: unreadKey(userID), queryFn: fetchUnread, staleTime: FRESH_MS });
  }, [pathname, userID, qc]);
  return q;
}
