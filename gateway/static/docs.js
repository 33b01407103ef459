// Swagger UI over the gateway's own document; the bundle comes from swagger-ui-dist, served by the gateway.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  // The token typed into "Authorize" lives in this tab only.
  persistAuthorization: false,
  tryItOutEnabled: false,
});
