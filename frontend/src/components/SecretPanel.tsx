import { useRef, useState, type ReactNode } from "react";

interface SecretPanelProps {
  /** The heading, e.g. “Copy the key for “ACD” now”. */
  title: string;
  /** What the secret is, in a few words: “key”, “signing secret”. */
  noun: string;
  secret: string;
  /** Why it is shown only once and what to do when it is lost. */
  children: ReactNode;
  onDone: () => void;
}

/** A secret shown this once (an API key, a webhook's signing secret), with a copy button. */
export function SecretPanel({ title, noun, secret, children, onDone }: SecretPanelProps) {
  const [copied, setCopied] = useState<"" | "yes" | "no">("");
  const inputRef = useRef<HTMLInputElement>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      inputRef.current?.select();
      setCopied("no");
    }
  }
  return (
    <div className="secret" role="region" aria-labelledby="secret-title">
      <h2 id="secret-title">{title}</h2>
      <p className="warn">{children}</p>
      <div className="secret-row">
        <label htmlFor="new-secret" className="sr-only">The new {noun}</label>
        <input id="new-secret" ref={inputRef} readOnly value={secret} onFocus={(e) => e.target.select()} />
        <button type="button" className="primary" onClick={() => void copy()}>Copy {noun}</button>
      </div>
      <p role="status">{copied === "yes" ? "Copied to the clipboard." : copied === "no" ? `Copying is blocked here: the ${noun} is selected, press Ctrl+C.` : ""}</p>
      <button type="button" onClick={onDone}>I have stored the {noun}</button>
    </div>
  );
}
