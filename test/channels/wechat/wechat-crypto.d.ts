/** Types for the untyped test peer wechat-crypto@0.0.2 (node-webot): the Official Account / WeCom message crypto. */
declare module 'wechat-crypto' {
  class WXBizMsgCrypt {
    constructor(token: string, encodingAESKey: string, id: string);
    getSignature(timestamp: string | number, nonce: string | number, encrypt: string): string;
    encrypt(text: string): string;
    decrypt(text: string): { message: string; id: string };
  }
  export = WXBizMsgCrypt;
}
