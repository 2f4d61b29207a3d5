/** The seven moods of a role-play customer, worst first (quizzes/ROLEPLAYS.md). */
export const MOODS = ["furious", "angry", "frustrated", "neutral", "calm", "satisfied", "delighted"] as const;

const FACE: Record<string, string> = {
  furious: "😡", angry: "😠", frustrated: "😣", neutral: "😐", calm: "🙂", satisfied: "😊", delighted: "😄",
};

export function moodLabel(mood: string) {
  return mood ? mood[0].toUpperCase() + mood.slice(1) : "Unknown";
}

/**
 * The customer's mood as words, a face and its place on the scale from
 * furious to delighted, so it never rests on colour alone.
 */
export function MoodMeter({ mood, name }: { mood: string; name: string }) {
  const i = MOODS.indexOf(mood as (typeof MOODS)[number]);
  return (
    <div className={`mood mood-${mood}`} role="group" aria-label={`${name}'s mood`}>
      <span className="mood-label">
        <span aria-hidden="true" className="mood-face">{FACE[mood] ?? "•"}</span> Mood: <strong>{moodLabel(mood)}</strong>
      </span>
      <meter min={1} max={MOODS.length} low={3} high={5} optimum={7} value={i + 1}
        aria-label={`Mood on a scale from furious to delighted`} aria-valuetext={`${moodLabel(mood)}, ${i + 1} of ${MOODS.length}`} />
      <span className="mood-scale" aria-hidden="true">
        {MOODS.map((m, j) => <span key={m} className={j === i ? "on" : undefined} title={moodLabel(m)} />)}
      </span>
    </div>
  );
}
