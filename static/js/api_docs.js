// The API's documentation page (/api/v1/docs/): Swagger UI, vendored under
// static/vendor/swagger-ui, reads the OpenAPI schema named by the page. "Try it out"
// requests go with the signed-in session (and its CSRF token on writes) or with a token
// entered under "Authorize".
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var csrf = document.querySelector('meta[name="csrf-token"]');
  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    deepLinking: true,
    requestInterceptor: function (request) {
      if (csrf && request.method && request.method.toUpperCase() !== "GET") {
        request.headers["X-CSRFToken"] = csrf.content;
      }
      return request;
    },
  });
});
