// A mark for <span lang="en">…</span>: phrases in the other language keep their lang attribute
// (screen readers switch pronunciation on it) when an editor edits the text around them.
import { Mark } from "django-prose-editor/editor"

export const Language = Mark.create({
  name: "language",
  excludes: "",
  addAttributes() {
    return {
      lang: {
        default: null,
        parseHTML: (element) => element.getAttribute("lang"),
        renderHTML: (attributes) => (attributes.lang ? { lang: attributes.lang } : {}),
      },
    }
  },
  parseHTML() {
    return [{ tag: "span[lang]" }]
  },
  renderHTML({ HTMLAttributes }) {
    return ["span", HTMLAttributes, 0]
  },
})
