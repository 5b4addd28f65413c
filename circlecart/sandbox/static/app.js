// The sandbox's web chat: plays the people of the sandbox against the real bot through the local Bot API.
"use strict";

const TEXTS = {
  en: {
    title: "circlecart sandbox", you_are: "You are", chats: "Chats", clock: "Sandbox time", plus_day: "+1 day",
    plus_month: "+30 days", cancel: "Cancel", ok: "OK", pay: "Pay", paid: "Paid", write: "Message",
    clock_hint: "Move time forward to rehearse a drop opening, a renewal or a group buy deadline.",
    local_only: "Everything here stays on this machine: the bot talks to a local Telegram.",
    member: "member", moderator: "group admin", staff: "brand staff", operator: "operator",
    private: "private chat with the bot", community: "community group", members_only: "members-only group",
    joined: "{names} joined the group", left: "{names} left the group", paid_service: "You paid {amount}",
    requested: "Join request sent; the bot decides.", refused: "The bot refused the payment",
    every_days: "Renews every {days} days (Stars subscription)", shipping: "Shipping details",
    name: "Name", phone_number: "Phone", email: "Email", shipping_address: "Address", reply: "Reply",
    edited: "edited", no_answer: "The bot did not answer in time.", moved: "Time moved forward",
    bot: "bot", no_results: "No results", link_unknown: "That link leads outside the sandbox.",
    poll_public: "Poll", poll_anonymous: "Anonymous poll", quiz: "Quiz", poll_multi: "choose one or more",
    poll_closed: "Final results", poll_votes: "{n} votes", poll_vote: "1 vote", vote: "Vote", retract: "Retract vote",
  },
  zh: {
    title: "circlecart 沙盒", you_are: "当前身份", chats: "聊天", clock: "沙盒时间", plus_day: "+1 天",
    plus_month: "+30 天", cancel: "取消", ok: "好", pay: "支付", paid: "已支付", write: "输入消息",
    clock_hint: "把时间往前拨，预演限量发售开场、会员续费或拼团截止。",
    local_only: "一切都留在本机：机器人连接的是本地的 Telegram。",
    member: "成员", moderator: "群管理员", staff: "品牌员工", operator: "运营者",
    private: "与机器人的私聊", community: "社区群", members_only: "会员专属群",
    joined: "{names} 加入了群组", left: "{names} 离开了群组", paid_service: "你支付了 {amount}",
    requested: "已发送入群申请，由机器人审核。", refused: "机器人拒绝了这笔付款",
    every_days: "每 {days} 天续费（Stars 订阅）", shipping: "收货信息",
    name: "姓名", phone_number: "电话", email: "邮箱", shipping_address: "地址", reply: "回复",
    edited: "已编辑", no_answer: "机器人没有及时回应。", moved: "时间已前移",
    bot: "机器人", no_results: "没有结果", link_unknown: "这个链接指向沙盒之外。",
    poll_public: "公开投票", poll_anonymous: "匿名投票", quiz: "测验", poll_multi: "可多选",
    poll_closed: "最终结果", poll_votes: "{n} 票", poll_vote: "1 票", vote: "投票", retract: "撤回投票",
  },
};

const state = {
  lang: (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en",
  world: null, me: null, chat: null, messages: [], commands: [], replyTo: null,
  inlineQueryId: null, inlineTimer: null, refreshing: false, again: false,
  pollPicks: {}, // "chat:message" -> options ticked in a multiple-answer poll, not yet sent
};

const $ = (sel) => document.querySelector(sel);
const t = (key, vars) => {
  let text = (TEXTS[state.lang] || TEXTS.en)[key] || TEXTS.en[key] || key;
  for (const [k, v] of Object.entries(vars || {})) text = text.replace(`{${k}}`, v);
  return text;
};
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ me: state.me, lang: state.lang, ...body }),
  };
  const response = await fetch(path, options);
  if (!response.ok) throw new Error(await response.text());
  return response.json();
}

// -- rendering ---------------------------------------------------------------------------------------

function applyTexts() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  $("#lang").textContent = state.lang === "zh" ? "EN" : "中文";
  $("#input").placeholder = t("write");
}

function renderSide() {
  const world = state.world;
  $("#people").innerHTML = world.people.map((p) =>
    `<button class="person${p.id === state.me ? " on" : ""}" data-person="${p.id}" data-testid="person-${esc(p.name)}">` +
    `${esc(p.name)}<small>${esc(t(p.role))} · @${esc(p.username)}</small></button>`).join("");
  $("#chats").innerHTML = world.chats.map((c) =>
    `<button class="chat${c.id === state.chat ? " on" : ""}" data-chat="${c.id}" data-testid="chat-${c.kind === "private" ? "bot" : esc(c.title)}">` +
    `${esc(c.kind === "private" ? world.bot.name : c.title)}<small>${esc(t(c.kind))}</small></button>`).join("");
  const now = new Date(world.now);
  $("#now").textContent = now.toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB", { dateStyle: "medium", timeStyle: "medium" });
  const chat = world.chats.find((c) => c.id === state.chat);
  $("#chat-title").textContent = chat ? (chat.kind === "private" ? `${world.bot.name} (@${world.bot.username})` : chat.title) : "";
  $("#chat-sub").textContent = chat ? t(chat.kind) : "";
}

function renderEntities(text, entities) {
  if (!entities || !entities.length) return esc(text);
  const cuts = new Set([0, text.length]);
  for (const e of entities) { cuts.add(e.offset); cuts.add(Math.min(text.length, e.offset + e.length)); }
  const points = [...cuts].sort((a, b) => a - b);
  let html = "";
  for (let i = 0; i < points.length - 1; i++) {
    const start = points[i], end = points[i + 1];
    let piece = esc(text.slice(start, end));
    const covering = entities.filter((e) => e.offset <= start && e.offset + e.length >= end);
    for (const e of covering) {
      switch (e.type) {
        case "bold": piece = `<b>${piece}</b>`; break;
        case "italic": piece = `<i>${piece}</i>`; break;
        case "underline": piece = `<u>${piece}</u>`; break;
        case "strikethrough": piece = `<s>${piece}</s>`; break;
        case "code": piece = `<code>${piece}</code>`; break;
        case "pre": piece = `<pre>${piece}</pre>`; break;
        case "spoiler": piece = `<span class="spoiler">${piece}</span>`; break;
        case "blockquote": case "expandable_blockquote": piece = `<blockquote>${piece}</blockquote>`; break;
        case "text_link": piece = `<a href="${esc(e.url)}" data-link="${esc(e.url)}">${piece}</a>`; break;
        case "url": piece = `<a href="${esc(text.slice(e.offset, e.offset + e.length))}" data-link="${esc(text.slice(e.offset, e.offset + e.length))}">${piece}</a>`; break;
        case "bot_command": piece = `<span class="cmd" data-command="${esc(text.slice(e.offset, e.offset + e.length))}">${piece}</span>`; break;
        default: break;
      }
    }
    html += piece;
  }
  return html;
}

function renderMessage(m) {
  if (m.service) {
    const s = m.service;
    const text = s.kind === "paid" ? t("paid_service", { amount: s.amount }) : t(s.kind, { names: s.names.join(", ") });
    return `<div class="service" data-testid="service">${esc(text)}</div>`;
  }
  const mine = m.from.id === state.me;
  let html = `<div class="msg${mine ? " mine" : ""}" data-id="${m.id}" data-testid="message">`;
  if (!mine) html += `<div class="who">${esc(m.from.name)}${m.via_bot ? ` <small>via @${esc(m.via_bot)}</small>` : ""}</div>`;
  if (m.reply_to) html += `<div class="reply"><b>${esc(m.reply_to.name)}</b> ${esc(m.reply_to.text)}</div>`;
  if (m.photo) html += `<img src="/sandbox/file/${encodeURIComponent(m.photo)}?label=${encodeURIComponent((m.text || "").split("\n")[0].slice(0, 40))}" alt="">`;
  if (m.document) html += `<div>📄 ${esc(m.document)}</div>`;
  if (m.invoice) {
    const inv = m.invoice;
    html += `<div class="invoice" data-testid="invoice"><b>${esc(inv.title)}</b><div>${esc(inv.description)}</div>` +
      `<div class="price">${esc(inv.amount)}</div>`;
    if (!m.buttons.length) html += `<div class="kb"><div class="kbrow"><button data-pay="${m.id}">${esc(t("pay"))} ${esc(inv.amount)}</button></div></div>`;
    html += "</div>";
  }
  if (m.poll) html += renderPoll(m);
  if (m.text) html += `<div class="text">${renderEntities(m.text, m.entities)}</div>`;
  if (m.buttons.length) {
    html += `<div class="kb">` + m.buttons.map((row) => `<div class="kbrow">` + row.map((b, i) => {
      const attrs = b.kind === "pay" ? `data-pay="${m.id}"` : `data-button='${esc(JSON.stringify(b))}'`;
      return `<button ${attrs} data-testid="button">${esc(b.text)}</button>`;
    }).join("") + `</div>`).join("") + `</div>`;
  }
  const time = m.date ? new Date(m.date * 1000).toLocaleTimeString(state.lang === "zh" ? "zh-CN" : "en-GB", { hour: "2-digit", minute: "2-digit" }) : "";
  html += `<div class="meta">${m.edited ? esc(t("edited")) + " · " : ""}${time}</div>`;
  html += `<button class="act" data-reply="${m.id}" title="${esc(t("reply"))}">↩</button></div>`;
  return html;
}

function renderPoll(m) {
  const p = m.poll, chosen = p.chosen || [], voted = chosen.length > 0;
  const picks = state.pollPicks[`${state.chat}:${m.id}`] || [];
  // Telegram lets a person vote until the poll closes, and change the vote only where the poll allows it.
  const open = !p.is_closed && (!voted || p.allows_revoting);
  const kind = p.type === "quiz" ? "quiz" : p.is_anonymous ? "poll_anonymous" : "poll_public";
  let html = `<div class="poll${p.is_closed ? " closed" : ""}" data-testid="poll"><b>📊 ${esc(p.question)}</b>` +
    `<div class="poll-kind">${esc(t(p.is_closed ? "poll_closed" : kind))}` +
    `${p.allows_multiple_answers && open ? " · " + esc(t("poll_multi")) : ""}</div>`;
  html += p.options.map((o, i) => {
    const share = p.total_voter_count ? Math.round((100 * o.voter_count) / p.total_voter_count) : 0;
    const mark = chosen.includes(i) ? "✔️" : picks.includes(i) ? "☑️" : p.allows_multiple_answers ? "⬜" : "⚪";
    const inner = `<span class="poll-text">${mark} ${esc(o.text)}</span><span class="poll-count">${o.voter_count} · ${share}%</span>` +
      `<span class="poll-bar" style="width:${share}%"></span>`;
    return open
      ? `<button class="poll-option" data-vote="${i}" data-testid="poll-option">${inner}</button>`
      : `<div class="poll-option">${inner}</div>`;
  }).join("");
  html += `<div class="poll-foot"><small>${esc(p.total_voter_count === 1 ? t("poll_vote") : t("poll_votes", { n: p.total_voter_count }))}</small>`;
  if (open && p.allows_multiple_answers && picks.length) html += `<button data-vote-send="1" data-testid="poll-vote">${esc(t("vote"))}</button>`;
  if (!p.is_closed && voted && p.allows_revoting) html += `<button data-retract="1" data-testid="poll-retract">${esc(t("retract"))}</button>`;
  return html + "</div></div>";
}

async function vote(messageId, options) {
  delete state.pollPicks[`${state.chat}:${messageId}`];
  const answer = await api("/sandbox/api/vote", { chat: state.chat, message_id: messageId, options });
  if (!answer.ok) toast(answer.error);
  await refresh();
}

async function pollClick(el) {
  const m = state.messages.find((x) => x.id === Number(el.closest(".msg").dataset.id));
  if (!m || !m.poll) return;
  const d = el.dataset;
  if (d.retract) return vote(m.id, []);
  if (d.voteSend) return vote(m.id, state.pollPicks[`${state.chat}:${m.id}`] || []);
  const i = Number(d.vote);
  if (!m.poll.allows_multiple_answers) return vote(m.id, [i]);
  const key = `${state.chat}:${m.id}`;
  const picks = state.pollPicks[key] || [];
  state.pollPicks[key] = picks.includes(i) ? picks.filter((x) => x !== i) : [...picks, i].sort((a, b) => a - b);
  renderMessages();
}

function renderMessages() {
  const box = $("#messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  box.innerHTML = state.messages.map(renderMessage).join("");
  if (atBottom) box.scrollTop = box.scrollHeight;
}

// -- loading -----------------------------------------------------------------------------------------

async function refresh() {
  if (state.refreshing) { state.again = true; return; }
  state.refreshing = true;
  try {
    do {
      state.again = false;
      state.world = await api(`/sandbox/api/world?me=${state.me}`);
      if (!state.world.chats.some((c) => c.id === state.chat)) state.chat = state.world.chats[0].id;
      const chat = await api(`/sandbox/api/chat?me=${state.me}&chat=${state.chat}&lang=${state.lang}`);
      state.messages = chat.messages;
      state.commands = chat.commands;
      renderSide();
      renderMessages();
    } while (state.again);
  } catch (error) {
    console.error(error);
  } finally {
    state.refreshing = false;
  }
}

function choosePerson(id) {
  state.me = id;
  state.replyTo = null;
  $("#replying").hidden = true;
  localStorage.setItem("sandbox.me", String(id));
  if (state.chat !== null && state.chat > 0) state.chat = id;
  refresh();
}

function openChat(id) {
  state.chat = id;
  state.replyTo = null;
  $("#replying").hidden = true;
  $("#messages").scrollTop = 1e9;
  refresh().then(() => { $("#messages").scrollTop = 1e9; });
}

// -- acting ------------------------------------------------------------------------------------------

function toast(text) {
  const el = $("#toast");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 4000);
}

function alertBox(text) {
  $("#alert p").textContent = text;
  $("#alert-back").hidden = false;
}

async function send(text, chat) {
  const body = { chat: chat ?? state.chat, text };
  if (state.replyTo && (chat === undefined || chat === state.chat)) body.reply_to = state.replyTo;
  state.replyTo = null;
  $("#replying").hidden = true;
  await api("/sandbox/api/send", body);
  await refresh();
  $("#messages").scrollTop = 1e9;
}

async function followLink(url) {
  const bot = state.world.bot.username.toLowerCase();
  const match = url.match(/^https?:\/\/t\.me\/([^/?#]+)\/?(?:\?(.*))?$/i);
  if (!match) { window.open(url, "_blank", "noopener"); return; }
  const path = match[1], query = new URLSearchParams(match[2] || "");
  if (path.startsWith("+") || path.startsWith("joinchat")) {
    const answer = await api("/sandbox/api/join", { link: url });
    if (answer.status === "member") openChat(answer.chat);
    else if (answer.status === "requested") toast(t("requested"));
    else toast(t("link_unknown"));
    await refresh();
    return;
  }
  if (path.startsWith("$")) { openSheet({ link: url }); return; }
  if (path.toLowerCase() === bot) {
    state.chat = state.me;
    const start = query.get("start");
    await send(start ? `/start ${start}` : "/start", state.me);
    openChat(state.me);
    return;
  }
  toast(t("link_unknown"));
}

async function pressButton(messageId, button) {
  if (button.kind === "callback") {
    const answer = await api("/sandbox/api/press", { chat: state.chat, message_id: messageId, data: button.data });
    if (answer.url) await followLink(answer.url);
    else if (answer.text && answer.alert) alertBox(answer.text);
    else if (answer.text) toast(answer.text);
    await refresh();
  } else if (button.kind === "url") {
    await followLink(button.url);
  } else if (button.kind === "inline" || button.kind === "inline_here") {
    const input = $("#input");
    input.value = `@${state.world.bot.username} ${button.query}`;
    input.focus();
    onInput();
  }
}

// -- the payment sheet --------------------------------------------------------------------------------

let sheetTarget = null;

async function openSheet(target) {
  sheetTarget = target;
  const info = await api("/sandbox/api/invoice", target);
  $("#sheet-title").textContent = info.title;
  $("#sheet-desc").textContent = info.description;
  $("#sheet-prices").innerHTML = info.prices.map((p) => `<tr><td>${esc(p.label)}</td><td>${esc(p.amount)}</td></tr>`).join("");
  $("#sheet-sub").textContent = info.subscription_days ? t("every_days", { days: info.subscription_days }) : "";
  $("#sheet-fields").innerHTML = info.needs.length
    ? `<h3>${esc(t("shipping"))}</h3>` + info.needs.map((n) => `<input name="${n}" placeholder="${esc(t(n))}" required>`).join("")
    : "";
  $("#sheet-error").hidden = true;
  $("#sheet-pay").textContent = `${t("pay")} ${info.amount}`;
  $("#sheet-pay").disabled = false;
  $("#sheet-back").hidden = false;
}

async function paySheet(event) {
  event.preventDefault();
  $("#sheet-pay").disabled = true;
  const fields = Object.fromEntries([...document.querySelectorAll("#sheet-fields input")].map((i) => [i.name, i.value]));
  try {
    const answer = await api("/sandbox/api/pay", { ...sheetTarget, order_info: fields });
    if (answer.ok) {
      $("#sheet-back").hidden = true;
      toast(t("paid"));
    } else {
      const error = $("#sheet-error");
      error.textContent = answer.answered ? `${t("refused")}: ${answer.error || ""}` : t("no_answer");
      error.hidden = false;
      $("#sheet-pay").disabled = false;
    }
  } finally {
    await refresh();
  }
}

// -- the input: commands and inline mode ----------------------------------------------------------------

function onInput() {
  const value = $("#input").value;
  const suggest = $("#suggest"), inline = $("#inline");
  const mention = `@${state.world.bot.username} `;
  if (value.startsWith("/") && !value.includes(" ")) {
    const typed = value.slice(1).toLowerCase();
    const found = state.commands.filter((c) => c.command.startsWith(typed));
    suggest.innerHTML = found.map((c) => `<div data-suggest="/${esc(c.command)}"><b>/${esc(c.command)}</b>${esc(c.description)}</div>`).join("");
    suggest.hidden = !found.length;
  } else {
    suggest.hidden = true;
  }
  if (value.toLowerCase().startsWith(mention.toLowerCase())) {
    clearTimeout(state.inlineTimer);
    state.inlineTimer = setTimeout(async () => {
      const answer = await api("/sandbox/api/inline", { query: value.slice(mention.length) });
      state.inlineQueryId = answer.query_id;
      inline.innerHTML = answer.results.length
        ? answer.results.map((r) => `<div data-result="${esc(r.id)}" data-testid="inline-result">${esc(r.title)}<small>${esc(r.description)}</small></div>`).join("")
        : `<div>${esc(t("no_results"))}</div>`;
      inline.hidden = false;
    }, 300);
  } else {
    inline.hidden = true;
  }
}

// -- events ------------------------------------------------------------------------------------------

document.addEventListener("click", async (event) => {
  const el = event.target.closest("[data-person],[data-chat],[data-button],[data-pay],[data-command],[data-link],[data-suggest],[data-result],[data-reply],[data-advance],[data-vote],[data-vote-send],[data-retract]");
  if (!el) return;
  event.preventDefault();
  const d = el.dataset;
  try {
    if (d.vote !== undefined || d.voteSend || d.retract) await pollClick(el);
    else if (d.person) choosePerson(Number(d.person));
    else if (d.chat) openChat(Number(d.chat));
    else if (d.button) await pressButton(Number(el.closest(".msg").dataset.id), JSON.parse(d.button));
    else if (d.pay) await openSheet({ chat: state.chat, message_id: Number(d.pay) });
    else if (d.command) await send(d.command);
    else if (d.link) await followLink(d.link);
    else if (d.suggest) { $("#suggest").hidden = true; await send(d.suggest); $("#input").value = ""; }
    else if (d.result) {
      $("#inline").hidden = true;
      $("#input").value = "";
      await api("/sandbox/api/inline/choose", { chat: state.chat, query_id: state.inlineQueryId, result_id: d.result });
      await refresh();
    } else if (d.reply) {
      state.replyTo = Number(d.reply);
      const m = state.messages.find((x) => x.id === state.replyTo);
      $("#replying span").textContent = `${t("reply")}: ${m ? m.from.name + " · " + (m.text || "").slice(0, 60) : ""}`;
      $("#replying").hidden = false;
      $("#input").focus();
    } else if (d.advance) {
      await api("/sandbox/api/clock", { seconds: Number(d.advance) });
      toast(t("moved"));
      await refresh();
    }
  } catch (error) {
    toast(String(error.message || error).slice(0, 200));
  }
});

$("#compose").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("#input");
  const text = input.value.trim();
  if (!text) return;
  if (text.toLowerCase().startsWith(`@${state.world.bot.username.toLowerCase()} `)) return; // inline: pick a result
  input.value = "";
  $("#suggest").hidden = true;
  await send(text);
});
$("#input").addEventListener("input", onInput);
$("#lang").addEventListener("click", () => { state.lang = state.lang === "zh" ? "en" : "zh"; applyTexts(); refresh(); });
$("#sheet").addEventListener("submit", paySheet);
$("#sheet-cancel").addEventListener("click", () => { $("#sheet-back").hidden = true; });
$("#alert button").addEventListener("click", () => { $("#alert-back").hidden = true; });
$("#cancel-reply").addEventListener("click", () => { state.replyTo = null; $("#replying").hidden = true; });

async function boot() {
  applyTexts();
  const world = await api("/sandbox/api/world?me=101");
  const saved = Number(localStorage.getItem("sandbox.me"));
  state.me = world.people.some((p) => p.id === saved) ? saved : world.people[0].id;
  const community = world.chats.find((c) => c.kind === "community");
  state.chat = community ? community.id : state.me;
  await refresh();
  $("#messages").scrollTop = 1e9;
  const events = new EventSource("/sandbox/events");
  events.onmessage = () => refresh();
}

boot();
