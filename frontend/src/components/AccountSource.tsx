import { SOURCES, type User } from "../api/types";
import { formatDate } from "../lib/format";

/**
 * Where an account comes from, as the admin pages say it, and — when the identity provider deleted it over
 * SCIM — that it did and when: such an account is the provider's to bring back (by creating it again), so no
 * page offers to reactivate it.
 */
export function AccountSource({ user }: { user: User }) {
  return (
    <>
      {SOURCES[user.source]}
      {user.scim_deleted_at && (
        <div className="provider-deleted">
          Deleted by the identity provider on {formatDate(user.scim_deleted_at)} — it comes back when the provider creates it again.
        </div>
      )}
    </>
  );
}
