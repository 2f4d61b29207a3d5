// The authoring steps the editor specs and the authoring journey share: each step is written once, here.
import { expect, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";
import { look, newHire, signInAs, type NewHire } from "./staff";
import { token } from "./training";

/** Takes the screenshots and axe scan named `name` when the caller passed its testInfo. */
async function shot(page: Page, testInfo: TestInfo | undefined, name: string) {
  if (testInfo) await look(page, testInfo, name);
}

/** On the Library: New program of `client`, named and slugged, opened in the program editor with one core module. */
export async function createProgram(page: Page, client: string, name: string, slug: string, testInfo?: TestInfo) {
  await page.getByRole("button", { name: `New program of ${client}` }).click();
  await page.getByLabel("Program name").fill(name);
  await page.getByLabel("Program slug").fill(slug);
  await shot(page, testInfo, "trainer-library-new-program");
  await page.getByRole("button", { name: "Start the program" }).click();
  await expect(page.getByRole("heading", { name: `New program: ${name}` })).toBeVisible();
  await page.getByLabel("Description").fill("Calls about restoring power after a storm.");
  await addRequirement(page, "module", "core/active-listening");
  await expect(page.getByRole("button", { name: /^Remove .*Active listening/i })).toBeVisible();
}

/** In the program editor: adds a requirement of the kind from its picker (`ref` as program.yaml names it). */
export async function addRequirement(page: Page, kind: "module" | "quiz" | "role-play", ref: string) {
  await page.getByLabel(`Add a ${kind}`).selectOption(ref);
  await page.getByRole("button", { name: `Add ${kind}` }).click();
}

/** On a published program's page: Edit the program's requirements opens its draft in the program editor. */
export async function editProgram(page: Page, name: string) {
  await page.getByRole("button", { name: "Edit the program's requirements" }).click();
  await expect(page.getByRole("heading", { name: `Edit program: ${name}` })).toBeVisible();
}

/** In the program editor of a published program: Publish the change; lands on the program's page. */
export async function publishProgramChange(page: Page, name: string) {
  await page.getByRole("button", { name: "Publish the change" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
}

/** In the program editor: Check (which saves the draft first) finds nothing to refuse. */
export async function checkProgram(page: Page) {
  await page.getByRole("button", { name: "Check", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Checked: it publishes as it is." })).toBeVisible();
}

/** In the program editor: Publish the program; lands on the program's page. */
export async function publishProgram(page: Page, name: string) {
  await page.getByRole("button", { name: "Publish the program" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /Published: \d+ created/ })).toBeVisible();
}

/** On a program's page: Start a new module, write it, publish version 1 (material) and return to the program, which lists it. */
export async function writeModule(page: Page, slug: string, title: string) {
  await page.getByLabel("New module's slug").fill(slug);
  await page.getByRole("button", { name: "Start a new module" }).click();
  await expect(page.getByRole("heading", { name: /^New module:/ })).toBeVisible();
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Summary").fill("What to tell a caller while crews restore power.");
  await page.getByLabel("Lesson (markdown)").fill(`# ${title}\n\nGive the **estimated restoration time**.\n`);
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Draft saved" })).toBeVisible();
  await page.getByRole("radio", { name: /Material/ }).check();
  await page.getByRole("button", { name: "Publish version 1" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Published version 1" })).toBeVisible();
  await page.getByRole("link", { name: "← Program" }).click();
  await expect(page.getByRole("table", { name: "The program's modules, in reading order" })).toContainText(title);
}

/** A library draft's id, from the editor's URL (`/library/<kind>-drafts/<id>`). */
export function draftID(page: Page, kind: "program" | "bank" | "roleplay" | "quiz") {
  return page.url().split(`/library/${kind}-drafts/`)[1].split("?")[0];
}

/** A colleague (an admin, through the API) saves the draft in between, with `edit` applied to its body. */
export async function colleagueSaves(request: APIRequestContext, id: string, edit: (body: string) => string) {
  const admin = { Authorization: `Bearer ${await token(request, "admin")}` };
  const cur = await request.get(`/api/v1/library/drafts/${id}`, { headers: admin });
  const draft = await cur.json();
  const put = await request.put(`/api/v1/library/drafts/${id}`, {
    headers: { ...admin, "If-Match": cur.headers()["etag"] ?? draft.etag }, data: { body: edit(draft.body) },
  });
  expect(put.status()).toBe(200);
}

/** Saves a quiz or role-play draft. */
export async function saveDraft(page: Page) {
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
}

/** The quiz's three questions answered right, in the preview or by an agent. */
async function answerQuiz(page: Page, shortAnswer: string) {
  await page.getByRole("radio", { name: "True" }).check();
  await page.getByRole("radio", { name: "Medical-priority customers" }).check();
  await page.getByRole("textbox", { name: "Your answer" }).fill(shortAnswer);
}

/**
 * On a program's page: New quiz, pass mark 50 and feedback review, three question types (true/false, single
 * choice, short answer), saved, previewed with Check my answers (100%), and published.
 */
export async function writeQuiz(page: Page, slug: string, title: string, testInfo?: TestInfo) {
  await page.getByLabel("New quiz's slug").fill(slug);
  await page.getByLabel("New quiz's title").fill(title);
  await page.getByRole("button", { name: "New quiz", exact: true }).click();
  await expect(page.getByRole("heading", { name: `Quiz ${slug} (draft)` })).toBeVisible();

  // Settings as fields.
  await page.getByLabel("Pass mark (%)").fill("50");
  await page.getByLabel("Review after submitting").selectOption("feedback");

  // Three question types.
  await page.getByRole("link", { name: "Questions" }).click();
  const add = async (type: string) => {
    await page.getByLabel("New question type").selectOption(type);
    await page.getByRole("button", { name: "Add a question" }).click();
  };
  await add("true_false");
  await page.getByLabel("Question 1 text").fill("Downed wires are reported to Emergency Dispatch.");
  await add("single_choice");
  await page.getByLabel("Question 2 text").fill("Who gets priority during an outage?");
  await page.getByLabel("Option 1", { exact: true }).fill("Medical-priority customers");
  await page.getByLabel("Option 2", { exact: true }).fill("Customers who call twice");
  await add("short_answer");
  await page.getByLabel("Question 3 text").fill("Which desk takes hazard calls?");
  await page.getByLabel("Answer 1", { exact: true }).fill("Emergency Dispatch");
  await expect(page.getByText("Draw feasible: 3 of 3 question(s) per attempt")).toBeVisible();
  await shot(page, testInfo, "quiz-editor-questions");
  await saveDraft(page);

  // The preview as an agent sees it; the grading is shown to the author only.
  await page.getByRole("link", { name: "Preview" }).click();
  await answerQuiz(page, "emergency dispatch");
  await page.getByRole("button", { name: "Check my answers" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Score 100%" })).toBeVisible();
  await shot(page, testInfo, "quiz-editor-preview");

  await page.getByRole("link", { name: "Settings" }).click();
  await shot(page, testInfo, "quiz-editor-settings");
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Published:" })).toBeVisible({ timeout: 15_000 });
}

/** An agent on the program's page starts the quiz `title`, answers it right and passes. */
export async function takeQuiz(page: Page, title: string) {
  await page.getByRole("article", { name: title }).getByRole("button", { name: "Start quiz" }).click();
  await answerQuiz(page, "Emergency Dispatch");
  await page.getByRole("button", { name: "Submit answers" }).click();
  await expect(page.getByText(/passed/i).first()).toBeVisible({ timeout: 15_000 });
}

/** A three-turn scenario: the best path is A, A, A (the replies in `BEST_PATH`). */
export function scenario(title: string) {
  return `title: ${title}
summary: A customer whose power has been out since last night wants a time.
persona:
  name: Ray Okafor
  situation: Power out since 9 pm yesterday; a freezer full of food.
  mood: frustrated
facts:
  Outage: Feeder 12, crew on site
  Estimated restoration: 4 pm today
competencies:
  empathy: 50
  accuracy: 50
pass:
  overall: 70
  outcomes: [resolved]
attempts_allowed: 0
start: opening
turns:
  - id: opening
    customer: My power's been out since last night. When is it coming back?
    agent:
      choice:
        - text: I'm sorry, that's a long time without power. Let me look at your area right now.
          points: {empathy: 2}
          mood: +1
          next: explain
        - text: Outages take as long as they take.
          points: {empathy: -2}
          mood: -1
          next: explain
  - id: explain
    customer: So what's going on?
    agent:
      choice:
        - text: A crew is on site at feeder 12; the estimate is 4 pm today.
          points: {accuracy: 2}
          next: close
        - text: Probably tonight.
          points: {accuracy: -1}
          next: close
          feedback: Give the estimate on screen, not a guess.
  - id: close
    customer: Fine. Anything else I should know?
    agent:
      choice:
        - text: If it's not back by 4 pm, call us and we'll check on the crew for you.
          points: {empathy: 1, accuracy: 1}
          next: resolved
        - text: No.
          next: lost
endings:
  - id: resolved
    outcome: resolved
    customer: Thanks, that helps.
    debrief:
      passed: You owned the wait and gave the real estimate.
      failed: The call ended well, but the run did not pass.
  - id: lost
    outcome: lost
    debrief: He was left without a plan.
`;
}

const BEST_PATH = [/I'm sorry, that's a long time/, /A crew is on site/, /If it's not back by 4 pm/];

/** On a program's page: New role-play, the whole `scenario(title)` typed into the YAML view and read back by the forms. */
export async function writeRoleplay(page: Page, slug: string, title: string) {
  await page.getByLabel("New role-play's slug").fill(slug);
  await page.getByRole("button", { name: "New role-play" }).click();
  await expect(page.getByRole("heading", { name: /^Role-play:/ })).toBeVisible();

  // The whole file in the YAML view; the forms read it back.
  await page.getByText("The file (YAML)").click();
  await page.getByLabel(/^roleplay\.yaml/).fill(scenario(title));
  await expect(page.getByRole("heading", { name: `Role-play: ${title}` })).toBeVisible();
  await expect(page.getByLabel("Customer's name")).toHaveValue("Ray Okafor");
  await expect(page.getByText("None: the role-play would import.")).toBeVisible();
}

/** In the role-play editor: Play it now, the best path, a passed test run that is not recorded. */
export async function playItNow(page: Page) {
  await page.getByRole("button", { name: "Play it now" }).click();
  const testRun = page.getByRole("region", { name: "Test run — not recorded" });
  for (const reply of BEST_PATH) await testRun.getByRole("button", { name: reply }).click();
  await expect(testRun.getByRole("heading", { name: /Test result: ✓ Passed/ })).toBeVisible();
}

/** In the role-play editor: Publish; back on the program's page, which lists it. */
export async function publishRoleplay(page: Page, program: string, title: string) {
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("heading", { name: program })).toBeVisible();
  await expect(page.getByRole("link", { name: title })).toBeVisible();
}

/** An agent on the program's page plays the role-play `title` on its best path and passes. */
export async function playRoleplay(page: Page, title: string) {
  await page.getByRole("article").filter({ hasText: title }).getByRole("button", { name: /Start/ }).click();
  for (const reply of BEST_PATH) await page.getByRole("button", { name: reply }).click();
  await expect(page.getByRole("heading", { name: /Result: ✓ Passed/ })).toBeVisible();
}

/**
 * A new agent of Cinder Valley Electric enrolled in the program `programSlug` (through the API, as the other
 * specs do); the staff member signed in on `page` signs out and the agent signs in on the program's page.
 */
export async function enrollAgent(page: Page, request: APIRequestContext, programSlug: string, name: string): Promise<NewHire> {
  const agent = await newHire(request, "cinder-valley-electric", programSlug, name);
  await page.getByRole("button", { name: "Sign out" }).click();
  await signInAs(page, agent.email, agent.password, `/training/${agent.programID}`);
  return agent;
}

/** An agent on the program's page opens the module `title` from the plan, marks it complete and goes back. */
export async function readModule(page: Page, title: string) {
  await page.getByRole("table", { name: "Requirements in plan order" }).getByRole("link", { name: title, exact: true }).click();
  await page.getByRole("button", { name: /^Mark version \d+ complete$/ }).click();
  await expect(page.getByRole("status").filter({ hasText: /You completed version \d+/ })).toBeVisible();
  await page.getByRole("link", { name: "← Program" }).click();
}
