// The demo's topic card: device A subscribes the uid to a topic through the SDK; a live event sent to it
// reaches both devices (their onLive listeners log it). Live events are never stored or acked.

/** Wires the topic card's buttons; `subscription(subscribe, topic)` asks device A's inbox. */
export function wireTopicCard({ ui, subscription, api, log }) {
  function topicResult(text, ok) {
    ui.topicResult.className = "result " + (ok ? "ok" : "err");
    ui.topicResult.textContent = text;
    log(text, ok ? "ok" : "err");
  }

  for (const [button, subscribe] of [[ui.subscribeBtn, true], [ui.unsubscribeBtn, false]]) {
    button.addEventListener("click", async () => {
      const topic = ui.topic.value.trim();
      try {
        await subscription(subscribe, topic);
        topicResult((subscribe ? "subscribed " : "unsubscribed ") + document.body.dataset.uid + (subscribe ? " to " : " from ") + topic, true);
      } catch (err) {
        topicResult((subscribe ? "subscribe" : "unsubscribe") + " failed: " + err.message, false);
      }
    });
  }

  ui.topicForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const topic = ui.topic.value.trim();
    let data;
    try {
      data = JSON.parse(ui.liveData.value);
    } catch {
      data = ui.liveData.value;
    }
    try {
      await api("/api/topics/" + encodeURIComponent(topic) + "/live", { event: "update", data });
      topicResult("live event sent to " + topic, true);
    } catch (err) {
      topicResult("live event failed: " + err.message, false);
    }
  });
}
