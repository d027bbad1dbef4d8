/**
 * Every user-facing sentence the engine writes, in one place so the wording can be reviewed.
 * Channels add their own chrome (buttons, headings) in their own message files.
 */
export const messages = {
  /** After 重新开始 or /new. */
  conversationReset: '好的,我们重新开始。请问您想了解什么?',
  /** 去年呢 / 山东呢 with nothing before it to refer to. */
  followUpWithoutContext: '请把问题说完整一些,说明想了解的事项,例如“去年城镇新增就业多少”。',
  /** How a follow-up was read. */
  interpretedAs: (reading: string) => `按“${reading}”理解`,
  empty: '请输入您的问题,例如:今年新增多少托位?',
  truncated: (max: number) => `问题较长,已按前${max}个字处理。`,
  notFound: (topic: string) =>
    topic ? `报告中没有找到关于“${topic}”的内容。` : '报告中没有找到这个问题的答案。',
  /** The reports write the term, but nothing found answers the question about it. */
  notAnswered: (topic: string) => `报告提到了“${topic}”,但没有找到能直接回答这个问题的内容。`,
  otherPlace: (place: string, loaded: string) => `报告中没有找到${place}的内容:${loaded}`,
  onlyRegion: (region: string) => `已加载的报告只涉及${region}。`,
  loadedRegions: (regions: string[]) =>
    regions.length <= 6 ? `已加载的是${regions.join('、')}的报告。` : `已加载${regions.length}个地区的报告(${regions.slice(0, 5).join('、')}等),不含该地区。`,
  subPlace: (place: string, region: string) => `报告中没有单独给出${place}的情况:已加载的是${region}的报告,只涉及全${levelWord(region)}的工作。`,
  otherYear: (marker: string, coverage: string) => `报告中没有${marker}的相关内容:已加载的${coverage}。`,
  notInPeriod: (marker: string, subject: string) => (subject ? `报告中关于${marker}的内容没有提到“${subject}”。` : `报告中关于${marker}的内容没有提到这个问题。`),
  coverageMany: (n: number, years: number[]) => `${n}份报告,均为${years.map((y) => `${y}年`).join('、')}的政府工作报告,不含这一时期`,
  periodLabel: (label: string) => `〔${label}〕`,
  regionLabel: (region: string) => `〔${region}〕`,
  /** The second of two questions in one message, as it was read (幼儿园呢 → 今年幼儿园新建改建几所). */
  partLabel: (read: string) => `关于“${read}”:`,
  targetLabel: (year: number) => `〔${year}年工作安排定的目标〕`,
  resultLabel: (year: number) => `〔${year + 1}年报告回顾的完成情况〕`,
  whichPlace: (regions: string[]) =>
    `已加载${regions.length}个地区的报告,请在问题里说明是哪个地区,例如:“${regions[0]}今年地区生产总值增长目标是多少”。`,
  overview: (title: string, chapters: string[]) => `${title}的工作安排分为${chapters.length}个方面:${chapters.join(';')}。`,
  noFigure: (topic: string, when = '') => (topic ? `报告中没有给出${when}“${topic}”的具体数字。` : `报告中没有给出${when}这个数字。`),
  noTotal: (topic: string, given?: string) =>
    given ? `报告中没有给出${topic ? `“${topic}”的` : ''}总量,只给出了增速:${given}` : topic ? `报告中没有给出“${topic}”的总量,只给出了增速。` : '报告中没有给出总量,只给出了增速。',
  noDate: '报告中没有给出具体时间。',
  noRanking: '报告中没有给出排名或比较。',
  noItems: '报告中没有列出具体的每一项。',
  noProcedure: '报告中没有办理流程或申请方式的说明,请咨询相关部门。',
  noCount: (topic: string) => (topic ? `报告中没有给出“${topic}”的总数,只给出了今年新增的数量。` : '报告中没有给出总数,只给出了今年新增的数量。'),
  noPlace: '报告中没有给出具体地点。',
  /** `which`: 哪家企业, 哪个城市. */
  noEntity: (which: string) => (which ? `报告中没有写明具体是${which}。` : '报告中没有写明具体名称。'),
  noPrice: '报告中没有涉及价格、收费或补贴标准。',
  personalData: '报告中没有个人信息,我也不能提供任何个人信息。',
  injection: '我只依据报告原文回答,不会编造或改写报告中的内容。',
  opinion: '报告只写目标和工作安排,不作评价、预测或建议;与此相关的原文如下。',
  notUnderstood: '没能读懂这个问题,请换个说法,或用中文提问。',
  /** `what`: 《one report's title》, or a description of several (27个地区的28份政府工作报告). */
  chitchat: (what: string, examples: readonly string[]) =>
    `您好!我可以回答${what}里的目标、数字和项目` +
    (examples.length ? `,例如:${examples.map((e) => `“${e.replace(/[??]$/, '')}”`).join('')}。` : '。'),
  examples: {
    target: (place: string, indicator: string) => `${place}今年${indicator}的目标是多少?`,
    lastYear: (place: string, indicator: string) => `${place}去年${indicator}是多少?`,
    fivePlan: (place: string, plan: string) => `${place}“${plan}”时期的主要目标是什么?`,
    fiveReview: (place: string, plan: string) => `${place}“${plan}”时期取得了哪些成就?`,
    work: (place: string) => `${place}今年有哪些重点工作?`,
  },
  regionYearsTitle: (region: string, years: number[]) => `${region}${years.join('、')}年政府工作报告`,
  deploymentTitle: (count: number, regions: number) => (regions > 1 ? `${regions}个地区的${count}份政府工作报告` : `${count}份政府工作报告`),
  yes: '是的。',
  figureDiffers: '报告中的数字是:',
  reportSays: '报告中写的是:',
  relatedPrefix: '相关内容:',
  /** Before an answer cut from the closest passage, when none answers for certain. */
  closest: '报告中没有完全对应的说法,最接近的原文是:',
} as const;

function levelWord(region: string): string {
  return /省$/.test(region) ? '省' : /自治区$/.test(region) ? '区' : /市$/.test(region) ? '市' : /县$/.test(region) ? '县' : '区';
}

/** Fallback examples, when a report's own cannot be read (examples.ts writes them from each report). */
export const exampleQuestions = ['今年地区生产总值的增长目标是多少?', '今年有哪些重点工作?', '民生方面有哪些安排?'] as const;
