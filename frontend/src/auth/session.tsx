// The signed-in session: who the user is, sign in, sign out. On load it
// tries the refresh cookie so a reload keeps the user signed in.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, refreshSession, setAccessToken, setOnSessionLost } from "../api/client";

export type Role = "agent" | "trainer" | "supervisor" | "compliance" | "admin";

export interface Me {
  id: string;
  email: string;
  name: string;
  role: Role;
  client_ids: string[];
}

interface Session {
  me: Me | null;
  loading: boolean;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    setOnSessionLost(() => setMe(null));
    let cancelled = false;
    (async () => {
      if (await refreshSession()) {
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
  }, []);

  const signIn = useCallback(async (email: string, password: string) => {
    const res = await api<{ access_token: string }>("/auth/login", { method: "POST", body: { email, password } });
    setAccessToken(res.access_token);
    setMe(await api<Me>("/me"));
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api("/auth/logout", { method: "POST", body: {} });
    } finally {
      setAccessToken(null);
      setMe(null);
    }
  }, []);

  const value = useMemo(() => ({ me, loading, signIn, signOut }), [me, loading, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}
