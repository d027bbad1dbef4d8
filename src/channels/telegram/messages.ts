/**
 * Every sentence the Telegram bot shows a user, in one place so the wording can be reviewed.
 * Plain text only: the renderer escapes it. (The engine's own answers come from src/answer/messages.ts.)
 */
export const messages = {
  /** Prefix of the location line under a quote: document › section path. */
  location: (where: string) => `📍 ${where}`,
  notice: (text: string) => `(${text})`,
  generated: '(以上回答由模型依据报告原文整理,引文为原文。)',
  related: '相关内容:',
  relatedTo: (question: string) => `与“${question}”相关的内容:`,
  noMoreRelated: '没有更多相关内容了。',
  paragraph: '原文段落(加粗处为引用原句):',
  tryExamples: '您可以试试这样问:',
  example: (q: string) => `· ${q}`,

  buttons: {
    paragraph: '原文段落',
    related: '相关内容',
    up: '👍',
    down: '👎',
    back: '« 返回',
  },

  feedbackThanks: '感谢您的反馈!',
  feedbackAgain: '您已经反馈过了,谢谢!',
  expired: '该消息已过期,请重新提问',
  /** A button made for a report that a reload has since removed or replaced with a new version. */
  reportGone: {
    outline: '这份报告已更新或移除，请发送 /outline 重新查看。',
    reports: '这份报告已更新或移除，请发送 /reports 重新选择。',
  },
  rateLimited: '您的提问有点频繁,请稍候片刻再试。',
  textOnly: '请发送文字问题',
  apology: '抱歉,处理您的消息时出了点问题,请稍后再试。',
  /** `example`: a question this chat's report answers. */
  askUsage: (example: string) => `请在 /ask 后面写上您的问题,例如:/ask ${example}`,
  mentionUsage: (username: string, example: string) => `请在 @${username} 后面写上您的问题,例如:@${username} ${example}`,
  unknownCommand: '暂不支持这个命令。直接发送问题即可,或发送 /help 查看使用方法。',

  start: {
    greeting: '您好!我是政府工作报告问答助手,回答都摘自报告原文,并注明出处。',
    documents: '我可以回答以下文件中的内容:',
    document: (title: string) => `· 《${title}》`,
    examples: '直接发送您的问题即可,例如:',
    group: (username: string) => `在群里,请用 /ask 提问,或 @${username} 提问,或回复我的消息。`,
    placeholder: '请输入您的问题',
  },

  help: {
    title: '使用方法',
    lines: (username: string) => [
      '· 私聊:直接发送问题,例如“今年地区生产总值增长目标是多少”。',
      `· 群聊:发送 /ask 问题,或 @${username} 问题,或回复我的消息。`,
      `· 任意聊天:输入 @${username} 关键词,可直接引用报告原文。`,
      '· 可以接着上一问追问,例如“去年呢”“山东呢”;发送 /new 重新开始。',
      '· /outline 查看报告目录,/reports 查看或选择报告,/targets 查看目标一览(如 /targets GDP),/about 查看数据来源与版本。',
      '· 回答下方的按钮:“原文段落”查看完整段落,“相关内容”查看更多出处,👍/👎 帮助我们改进。',
    ],
  },

  reports: {
    title: (n: number) => (n === 1 ? '当前加载的报告:' : `当前加载了${n}份报告:`),
    item: (title: string, chosen: boolean, id?: string) => `${chosen ? '✓' : '·'} 《${title}》${id ? `(编号 ${id})` : ''}`,
    choose: '点选下方按钮,之后的提问只在这份报告中查找;选“全部报告”时,请在问题里说明地区。',
    namePlace: '提问时请说明地区,例如“山东今年地区生产总值增长目标是多少”。',
    only: '所有回答都依据这份报告。',
    all: '全部报告',
    chosen: (title: string) => `已选择《${title}》,之后的提问只在这份报告中查找。`,
    chosenAll: '已选择全部报告,提问时请说明地区。',
  },

  targets: {
    unknown: '没有找到相关的地区或指标。例如:/targets 山东,或 /targets GDP。',
    web: '在网页中查看目标一览',
  },

  admin: {
    onlyAdmins: '抱歉,只有管理员可以添加或删除报告。如需提问,请直接发送文字。',
    privateOnly: '请在与机器人的私聊中发送报告文件。',
    tooLarge: (mb: number) => `文件超过 ${mb} MB,机器人无法下载。请发送报告的 DOCX 或压缩后的 PDF。`,
    reading: (name: string) => `正在读取《${name}》,请稍候……`,
    downloadFailed: '文件下载失败,请稍后重新发送。',
    live: (title: string) => `《${title}》已生效,现在就可以提问。`,
    saved: '报告已保存,但载入时出错,目前仍使用原有报告。请管理员查看服务日志。',
    removeUsage: '用法:/remove 报告编号(编号见 /reports)。',
    removed: (title: string) => `已删除《${title}》。`,
    ids: '管理员可发送 DOCX、PDF、网页或 TXT 文件添加报告,用 /remove 编号 删除。',
  },

  about: {
    title: '关于',
    sources: '回答依据以下文件原文:',
    source: (title: string, region: string, year: number) => `· 《${title}》(${region},${year}年)`,
    version: (v: string) => `版本:${v}`,
    indexedAt: (when: string) => `索引更新时间:${when}`,
    note: '所有回答均摘自报告原文,数字以原文为准。',
  },

  outline: {
    title: (title: string) => `《${title}》目录`,
    pick: '请点选下方条目查看:',
    topics: '本部分包括:',
    empty: '这一部分暂无可显示的条目。',
    paragraphN: (n: number, excerpt: string) => `第${n}段:${excerpt}`,
  },

  inline: {
    question: (q: string) => `问:${q}`,
    noResults: '报告中没有找到相关内容',
    noResultsHint: '请换个说法试试',
    /** Above the empty results when a user's inline queries come too fast (a button: keep it short). */
    rateLimited: '查询有点频繁，请稍候片刻再试',
  },

  commands: [
    { command: 'start', description: '开始使用' },
    { command: 'help', description: '使用方法' },
    { command: 'ask', description: '提问(群聊中使用),例如 /ask 今年GDP增长目标是多少' },
    { command: 'outline', description: '报告目录' },
    { command: 'reports', description: '查看或选择报告' },
    { command: 'targets', description: '目标一览,例如 /targets GDP' },
    { command: 'new', description: '重新开始对话' },
    { command: 'about', description: '数据来源与版本' },
  ],
} as const;
