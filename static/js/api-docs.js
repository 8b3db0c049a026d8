// Start Swagger UI on the local OpenAPI document (no inline script: the CSP forbids it).
const root = document.getElementById("swagger-ui");
window.SwaggerUIBundle({ url: root.dataset.specUrl, domNode: root, deepLinking: true });
