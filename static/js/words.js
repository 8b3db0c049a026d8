// The words a page writes the API's codes in: the server renders them into the page.

/** The page's vocabulary (body sites, qualities...) rendered by the server as JSON. */
export function words() {
  const element = document.getElementById("words");
  return element ? JSON.parse(element.textContent) : {};
}
