/**
 * Every sentence the WeChat and WeCom channel shows to a user, in one place so the wording can be
 * reviewed. The answers themselves come from the engine (src/answer/messages.ts); this file only adds
 * the channel's own chrome: welcome, paging, refusals of non-text messages and the generic failure.
 */
export const messages = {
  /** 目标一览 with words that name no loaded region or indicator. */
  targetsUnknown: '没有找到相关的地区或指标。例如:目标一览 山东,或 目标一览 GDP。',
  /** Sent on a subscribe (关注) event, followed by the example questions. */
  welcome: (examples: readonly string[]) =>
    [
      '您好,欢迎关注!我依据政府工作报告原文回答问题,并注明原文出处。',
      '',
      '您可以这样问:',
      ...examples.map((q) => `· ${q}`),
    ].join('\n'),
  /** A voice message without recognised text. */
  voiceWithoutText: '抱歉,没能识别这条语音。请发送文字问题,例如“今年新增多少托位”。',
  /** Before the answer to a voice message: what was heard. */
  heard: (text: string) => `您说的是:“${text}”`,
  /** Image, voice, video, location, link and file messages. */
  textOnly: (example: string | undefined) => (example ? `请发送文字问题,例如:${example}` : '请发送文字问题。'),
  /** Appended to every page but the last of an answer longer than one message. */
  moreHint: '回复“更多”查看其余内容',
  /** "更多" with nothing left to show (never asked, already shown, or older than 10 minutes). */
  noMore: '没有更多内容了。请直接发送您的问题。',
  /** After a refusal with no related passage, a nudge towards questions that work. */
  tryExamples: (examples: readonly string[]) =>
    `您可以换个问法,例如:${examples.map((q) => `“${q.replace(/[?？]$/, '')}”`).join('')}。`,
  /** Header above the quotes. */
  quotesFound: '原文:',
  quotesRelated: '相关内容:',
  /** The answer took too long and there is no customer-service API to send it later. */
  slow: '抱歉,这次查询用时较长,请稍后再发送一次问题。',
  /** Anything went wrong while answering: never says what. */
  failure: '抱歉,暂时无法回答,请稍后再试。',
  /** Reports sent as files to the WeCom app by WECOM_ADMIN_IDS (see uploads.ts). */
  upload: {
    onlyAdmins: '抱歉,只有管理员可以发送文件添加报告。如需提问,请直接发送文字。',
    reading: (name: string | undefined) => (name ? `已收到《${name}》,正在读取,请稍候……` : '已收到文件,正在读取,请稍候……'),
    tooLarge: (mb: number) => `文件超过 ${mb} MB,无法下载。请发送报告的 DOCX 或压缩后的 PDF。`,
    downloadFailed: '文件下载失败,请稍后重新发送。',
    live: (title: string) => `《${title}》已生效,现在就可以提问。`,
    saved: '报告已保存,但载入时出错,目前仍使用原有报告。请管理员查看服务日志。',
    failed: '抱歉,文件未能添加,报告没有变化。请稍后再试。',
  },
} as const;

/** What a user types to see the next page of a long answer. */
export const moreKeywords: readonly string[] = ['更多', '更多内容', '查看更多', '继续'];
