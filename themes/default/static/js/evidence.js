/* Evidence page: autosave of written answers, and large files sent in resumable chunks.
   Without JavaScript the page still works: "Save draft" posts everything, files included. */
(function () {
  "use strict";
  var form = document.querySelector("form.evidence-form");
  if (!form) { return; }
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var status = document.querySelector("[data-autosave-status]");
  var draftKey = form.getAttribute("data-draft-key");

  function say(text) { if (status) { status.textContent = text; } }
  function time() { return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }
  function store(key, value) { try { if (value === null) { localStorage.removeItem(key); } else { localStorage.setItem(key, value); } } catch (e) { /* private mode */ } }
  function read(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }

  function send(method, url, body, headers) {
    var h = { "X-CSRFToken": csrf };
    Object.keys(headers || {}).forEach(function (k) { h[k] = headers[k]; });
    return fetch(url, { method: method, body: body, headers: h, credentials: "same-origin" });
  }

  /* ---- autosave ---- */
  form.querySelectorAll("textarea[data-autosave]").forEach(function (area) {
    var key = draftKey + "-" + area.getAttribute("data-prompt");
    var pending = read(key);
    if (pending !== null && pending !== area.value) {
      area.value = pending;  // typed earlier on this device but never reached the server
      say("We restored text you typed earlier that had not been saved yet.");
    }
    var timer = null;
    function save() {
      timer = null;
      var text = area.value;
      send("POST", form.getAttribute("data-autosave-url"),
           JSON.stringify({ prompt: parseInt(area.getAttribute("data-prompt"), 10), text: text }),
           { "Content-Type": "application/json", "Accept": "application/json" })
        .then(function (r) {
          if (r.ok) { if (area.value === text) { store(key, null); } say("Saved at " + time() + "."); return; }
          return r.json().then(function (j) {
            say("Not saved: " + ((j && j.error && j.error.message) || "please sign in again") +
                " Your text is kept on this device.");
          }, function () { say("Not saved: you may be signed out. Your text is kept on this device; sign in again in another tab."); });
        }, function () { say("Offline: your text is kept on this device and will be saved when you are back."); });
    }
    area.addEventListener("input", function () {
      store(key, area.value);
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, 1500);
    });
    area.addEventListener("blur", function () { if (timer) { clearTimeout(timer); save(); } });
  });
  form.addEventListener("submit", function () {
    form.querySelectorAll("textarea[data-autosave]").forEach(function (area) {
      store(draftKey + "-" + area.getAttribute("data-prompt"), null);
    });
  });

  /* ---- chunked, resumable uploads ---- */
  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function uploadFile(input, file, line) {
    var prompt = parseInt(input.getAttribute("data-prompt"), 10);
    var flag = document.getElementById("student-info-" + prompt);
    var resumeKey = draftKey + "-upload-" + prompt + "-" + file.name + "-" + file.size + "-" + file.lastModified;
    var bar = line.querySelector("progress");
    var label = line.querySelector("span");

    function begin() {
      var known = read(resumeKey);
      if (known) {
        return fetch(known, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json().then(function (j) { j.url = known; return j; }) : begin_new(); });
      }
      return begin_new();
    }
    function begin_new() {
      return send("POST", form.getAttribute("data-upload-url"),
                  JSON.stringify({ prompt: prompt, filename: file.name, size: file.size, student_info: !!(flag && flag.checked) }),
                  { "Content-Type": "application/json", "Accept": "application/json" })
        .then(function (r) {
          return r.json().then(function (j) {
            if (!r.ok) { throw new Error((j.error && j.error.message) || "The upload was refused."); }
            store(resumeKey, j.url);
            return j;
          });
        });
    }
    function push(state, tries) {
      if (state.done) { return Promise.resolve(state); }
      var chunk = state.chunk || 4194304;
      var end = Math.min(state.offset + chunk, file.size);
      bar.value = state.offset / file.size * 100;
      label.textContent = file.name + ": " + Math.round(bar.value) + "%";
      return send("PUT", state.url, file.slice(state.offset, end),
                  { "Upload-Offset": String(state.offset), "Content-Type": "application/offset+octet-stream", "Accept": "application/json" })
        .then(function (r) {
          return r.json().then(function (j) {
            if (r.status === 409 && typeof j.offset === "number") { state.offset = j.offset; return push(state, tries); }
            if (!r.ok) { throw new Error((j.error && j.error.message) || "The upload was refused."); }
            state.offset = j.offset; state.done = j.done;
            return push(state, 0);
          });
        }, function () {
          if (tries >= 8) { throw new Error("The connection dropped. Choose the file again to resume where it stopped."); }
          label.textContent = file.name + ": connection lost, trying again…";
          return sleep(1000 * Math.pow(2, Math.min(tries, 4))).then(function () {
            return fetch(state.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
              .then(function (r) { return r.json(); })
              .then(function (j) { state.offset = j.offset; state.done = j.done; return push(state, tries + 1); },
                    function () { return push(state, tries + 1); });
          });
        });
    }
    return begin().then(function (state) { return push(state, 0); }).then(function () {
      store(resumeKey, null);
      bar.value = 100;
      label.textContent = file.name + ": uploaded.";
    });
  }

  form.querySelectorAll("input[type=file][data-chunked]").forEach(function (input) {
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files);
      var max = parseInt(input.getAttribute("data-max-bytes"), 10);
      var list = form.querySelector("[data-progress-for='" + input.getAttribute("data-prompt") + "']");
      input.value = "";  // sent here in chunks, not again with the form
      var jobs = files.map(function (file) {
        var line = document.createElement("li");
        line.innerHTML = "<span></span> <progress max='100' value='0'></progress>";
        line.querySelector("span").textContent = file.name;
        list.appendChild(line);
        if (file.size > max) {
          line.querySelector("span").textContent = file.name + " is larger than the " + Math.round(max / 1048576) + " MB limit for one file. Try a shorter clip.";
          line.querySelector("progress").remove();
          return Promise.resolve(false);
        }
        return uploadFile(input, file, line).then(function () { return true; }, function (err) {
          line.querySelector("span").textContent = file.name + ": " + err.message;
          return false;
        });
      });
      Promise.all(jobs).then(function (results) {
        if (results.some(Boolean)) {
          say("Files uploaded. Updating the page…");
          // Save typed answers with the form so the reload loses nothing.
          var save = document.createElement("input");
          save.type = "hidden"; save.name = "action"; save.value = "save";
          form.appendChild(save);
          form.submit();
        }
      });
    });
  });
})();
