/**
 * The React Query scenario in the side-by-side page's list: a card like "Two tabs", since it runs another app
 * (examples/react-query, React 19 + TanStack Query 5) on a page of its own, `/react-query` (demo/reactQuery.mjs).
 */
export function reactQueryCard(number: number): HTMLElement {
	const card = document.createElement("div");
	card.className = "scenario static";
	const head = document.createElement("span");
	head.className = "scenario-head";
	const numberLabel = Object.assign(document.createElement("span"), { className: "scenario-number", textContent: String(number) });
	const title = Object.assign(document.createElement("span"), { className: "scenario-title", textContent: "React Query: naive vs bound" });
	head.append(numberLabel, title);
	const what = Object.assign(document.createElement("span"), { className: "scenario-what" });
	const tag = Object.assign(document.createElement("span"), { className: "tag", textContent: "tokenflight/query" });
	const link = Object.assign(document.createElement("a"), { href: "/react-query", target: "_blank", textContent: "open it side by side" });
	what.append(tag, " A query cache after an identity switch, a dead session, a 500: Alice's documents beside Bob's name, or none. ", link, ".");
	card.append(head, what);
	return card;
}
