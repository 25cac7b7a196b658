/* The enumerator app's service worker (docs/surveys.md, "Offline collection"), served from
   /surveys/enumerator/sw.js so that it controls the app's pages.

   Network first, the device's copy when the network is off: a page, its scripts and styles
   and the survey's form (form.json) are kept as they were last fetched. Answers are never
   kept here: they wait in the page's own storage and are sent by the page (offline.js), so
   that the page always knows what was sent. Nothing is fetched from anywhere but chiso. */
"use strict";

var CACHE = "chiso-enumerator-v1";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name.indexOf("chiso-enumerator-") === 0 && name !== CACHE; })
        .map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request).then(function (response) {
      // a page that sent the enumerator to the login form is not the page to keep
      if (response.ok && !response.redirected && response.type === "basic") {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreVary: true, ignoreSearch: request.mode === "navigate" }).then(function (kept) {
        return kept || Response.error();
      });
    })
  );
});
