// The signed-in session: who the user is, sign in, sign out. On load it
// tries the refresh cookie so a reload keeps the user signed in.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { api, clearTokens, refreshSession, setOnSessionLost, setOnTokens, setTokens, type Tokens } from "../api/client";
import type { Role, User } from "../api/types";

export type { Role };
export type Me = User;

/** Why the last session ended, for the sign-in page to say. */
export type EndedBy = "signout" | "password" | "lost" | null;

interface Session {
  me: Me | null;
  endedBy: EndedBy;
  loading: boolean;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** Replaces the signed-in user after a change (e.g. the display name). */
  setMe(me: Me): void;
  /** Forgets the session without asking the server (it already ended it). */
  forget(why: EndedBy): void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const [endedBy, setEndedBy] = useState<EndedBy>(null);
  const queryClient = useQueryClient();

  const forget = useCallback((why: EndedBy) => {
    clearTokens();
    setEndedBy(why);
    setMe(null);
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => {
    setOnSessionLost(() => forget("lost"));
    setOnTokens((t: Tokens) => {
      if (t.user) setMe(t.user as Me);
    });
    let cancelled = false;
    (async () => {
      const t = await refreshSession();
      if (t && !t.user) {
        try {
          const m = await api<Me>("/me");
          if (!cancelled) setMe(m);
        } catch {
          /* stays signed out */
        }
      }
      if (!cancelled) setLoading(false);
    })();
    return () => {
      cancelled = true;
    };
  }, [forget]);

  const signIn = useCallback(async (email: string, password: string) => {
    const t = await api<Tokens & { user: Me }>("/auth/login", { method: "POST", body: { email, password } });
    setTokens(t);
    setEndedBy(null);
    setMe(t.user);
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api("/auth/logout", { method: "POST", body: {} });
    } catch {
      /* the session ends here either way */
    } finally {
      forget("signout");
    }
  }, [forget]);

  const value = useMemo(() => ({ me, endedBy, loading, signIn, signOut, setMe, forget }), [me, endedBy, loading, signIn, signOut, forget]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}
