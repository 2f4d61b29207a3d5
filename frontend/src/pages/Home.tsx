import { useSession } from "../auth/session";

export function Home() {
  const { me } = useSession();
  return (
    <section>
      <h1>Welcome{me?.name ? `, ${me.name}` : ""}</h1>
      <p>You are signed in as {me?.role}.</p>
    </section>
  );
}
